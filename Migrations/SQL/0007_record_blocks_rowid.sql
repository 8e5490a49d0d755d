-- augstore catalog schema 7: record blocks in a rowid table.
--
-- Schema 3 kept record_blocks WITHOUT ROWID, keyed by (run_id, epoch, block). Such a table is
-- an index B-tree whose cells are whole rows; a block's row (about 37 KB for 1,024 samples)
-- spills into overflow pages, and SQLite reads a cell's whole payload to compare its key. One
-- point lookup therefore copied about a megabyte on its way down the tree: 90 lookups (one
-- sample's history over 90 epochs) took about 12 ms on a 1,281,167-sample run.
--
-- Here the rows live in a rowid table and the key is a separate index of small cells (run_id,
-- epoch, block, rowid): a lookup compares integers and reads only the row it finds. Columns,
-- block layout and views are unchanged; the views are dropped and created again because they
-- name the table that is rebuilt. Old catalogs are copied row by row when they are opened;
-- the old table's pages become free pages of the file, reused by later epochs (VACUUM returns
-- them to the file system).

DROP VIEW augmentation_params;
DROP VIEW augmentation_records;

-- Samples block * 1024 + i for i in 0..<count of one (run, epoch); sample = index in the
-- run's dataset version. Columns as in schema 3:
--   positions  count little-endian u32: the sample's position in the epoch's order.
--   tensors    NULL until something of the block is materialized, then count little-endian
--              u32 ids into tensors (0: not materialized yet).
--   params     count SampleRecord encodings (version 1, see SampleRecord.encoded()),
--              concatenated in sample order.
CREATE TABLE record_blocks_rowid (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  block INTEGER NOT NULL CHECK (block >= 0),
  count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 1024),
  positions BLOB NOT NULL,
  tensors BLOB,
  params BLOB NOT NULL,
  UNIQUE (run_id, epoch, block),
  FOREIGN KEY (run_id, epoch) REFERENCES epochs(run_id, epoch)
);

INSERT INTO record_blocks_rowid (run_id, epoch, block, count, positions, tensors, params)
SELECT run_id, epoch, block, count, positions, tensors, params FROM record_blocks
ORDER BY run_id, epoch, block;

DROP TABLE record_blocks;
ALTER TABLE record_blocks_rowid RENAME TO record_blocks;

-- augmentation_records: one row per recorded (run, epoch, sample).
--   run, epoch, sample (index in the dataset version), path, label, position (in the epoch's
--   order), original (0/1), record (the SampleRecord encoding), params_json (its JSON form),
--   digest (lowercase hex SHA-256 of the materialized tensor, NULL until materialized).
-- Filter on run and epoch for speed: both are keys of record_blocks.
CREATE VIEW augmentation_records AS
SELECT
  r.name AS run,
  b.epoch AS epoch,
  s.position AS sample,
  s.path AS path,
  s.label AS label,
  augstore_u32(b.positions, s.position - b.block * 1024) AS position,
  augstore_original(augstore_record(b.params, s.position - b.block * 1024)) AS original,
  augstore_record(b.params, s.position - b.block * 1024) AS record,
  augstore_record_json(augstore_record(b.params, s.position - b.block * 1024)) AS params_json,
  (SELECT lower(hex(t.digest)) FROM tensors t
    WHERE t.id = augstore_u32(b.tensors, s.position - b.block * 1024)) AS digest
FROM runs r
JOIN record_blocks b ON b.run_id = r.id
JOIN samples s ON s.version_id = r.dataset_version_id
  AND s.position >= b.block * 1024 AND s.position < b.block * 1024 + b.count;

-- augmentation_params: one row per recorded (run, epoch, sample, transform).
--   run, epoch, sample, path, position, original, transform_index (0-based place in the
--   pipeline), transform (Keras layer name, e.g. RandomRotation), params_json (that transform's
--   parameters, e.g. {"angle":-12.5}; {} for transforms without random parameters; NULL when
--   the sample was an original that epoch).
-- Example: SELECT epoch, json_extract(params_json, '$.angle') FROM augmentation_params
--          WHERE run = 'r1' AND sample = 17 AND transform = 'RandomRotation';
CREATE VIEW augmentation_params AS
SELECT
  a.run AS run,
  a.epoch AS epoch,
  a.sample AS sample,
  a.path AS path,
  a.position AS position,
  a.original AS original,
  CAST(t.key AS INTEGER) AS transform_index,
  json_extract(t.value, '$.type') AS transform,
  augstore_params_json(a.record, CAST(t.key AS INTEGER)) AS params_json
FROM augmentation_records a
JOIN runs r ON r.name = a.run
JOIN pipelines p ON p.id = r.pipeline_id
JOIN json_each(p.spec, '$.transforms') t;
