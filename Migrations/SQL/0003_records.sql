-- augstore catalog schema 3: per-epoch augmentation records, tensor digests, SQL views.
--
-- Records are stored in blocks: one row of record_blocks holds samples
-- [block * 1024, block * 1024 + count) of one (run, epoch), so that a record costs its
-- parameters plus four bytes of position, not a B-tree cell with a repeated key
-- (DESIGN.md: <= 40 bytes per record, 100M+ records). Blocks are appended epoch by epoch
-- (key order), and one sample's history is one point lookup per epoch.
-- The block size 1024 is part of this schema; changing it needs a new schema file.

-- A distinct materialized tensor, stored once however many records produced it.
-- digest: the 32-byte SHA-256 of the tensor's bytes.
CREATE TABLE tensors (
  id INTEGER PRIMARY KEY,
  digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32)
);

-- One recorded epoch of a run. An epoch is written in one transaction with all its
-- record blocks: a row here means every sample of the epoch is recorded.
-- record_encoding: SampleRecord.encodingVersion of the records' binary form.
CREATE TABLE epochs (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  epoch INTEGER NOT NULL CHECK (epoch >= 0),
  sample_count INTEGER NOT NULL CHECK (sample_count >= 0),
  original_count INTEGER NOT NULL CHECK (original_count >= 0),
  record_encoding INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

-- Samples block * 1024 + i for i in 0..<count of one (run, epoch); sample = index in the
-- run's dataset version.
--   positions  count little-endian u32: the sample's position in the epoch's order.
--   tensors    NULL until something of the block is materialized, then count little-endian
--              u32 ids into tensors (0: not materialized yet).
--   params     count SampleRecord encodings (version 1, see SampleRecord.encoded()),
--              concatenated in sample order; each says whether the sample was an original and
--              holds every transform's drawn parameters.
CREATE TABLE record_blocks (
  run_id INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  block INTEGER NOT NULL CHECK (block >= 0),
  count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 1024),
  positions BLOB NOT NULL,
  tensors BLOB,
  params BLOB NOT NULL,
  PRIMARY KEY (run_id, epoch, block),
  FOREIGN KEY (run_id, epoch) REFERENCES epochs(run_id, epoch)
) WITHOUT ROWID;

-- SQL functions (registered on every catalog connection, also in `augstore sql`):
--   augstore_record(params, i)            the i-th SampleRecord encoding of a block's params
--   augstore_u32(blob, i)                 the i-th little-endian u32 of a blob (NULL past the end)
--   augstore_original(record)             1 if the record is an original, else 0
--   augstore_record_json(record)          {"original":false,"params":[{"flips":true},...]}
--   augstore_params_json(record, t)       transform t's parameters as a JSON object with Keras'
--                                         names ({"angle":-12.5}), NULL for originals

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
