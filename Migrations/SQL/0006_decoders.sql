-- augstore catalog schema 6: decoder versions, image formats and EXIF orientation.
--
-- How an original is decoded is part of what a run depends on (like its draw scheme): each run
-- records the decoder version its originals are decoded with. Runs made before this schema used
-- libpng's simplified API, which converts files with a gAMA chunk towards sRGB: version 1. New runs
-- record the version of the augstore that creates them (2: the samples as stored, and JPEG).
ALTER TABLE runs ADD COLUMN decoder INTEGER NOT NULL DEFAULT 1 CHECK (decoder >= 1);

-- Originals may be PNG or JPEG (recognised by signature). A JPEG's EXIF Orientation tag (1 to 8)
-- is kept as recorded in the file: pixels are used as stored, as Keras' loaders do.
ALTER TABLE objects ADD COLUMN format TEXT NOT NULL DEFAULT 'png' CHECK (format IN ('png', 'jpeg'));
ALTER TABLE objects ADD COLUMN orientation INTEGER CHECK (orientation BETWEEN 1 AND 8);
