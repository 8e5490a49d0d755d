-- augstore catalog schema 2: augmentation pipelines and runs.

-- A named pipeline has versions 1, 2, …; a changed spec under the same name is a new version.
-- spec is the canonical JSON, fingerprint its SHA-256 (lowercase hex).
CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
  spec TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (name, version)
);

-- One training run's augmentation plan; immutable once created.
-- seed holds the UInt64 master seed's bit pattern as a signed 64-bit integer.
-- draw_scheme is the version of the draw-addressing contract the run's records were drawn with.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  dataset_version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
  seed INTEGER NOT NULL,
  shuffle INTEGER NOT NULL CHECK (shuffle IN (0, 1)),
  draw_scheme INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
