-- augstore catalog schema 1: objects, datasets, immutable versions, samples, tags.

-- One original file, addressed by the SHA-256 of its bytes (lowercase hex).
CREATE TABLE objects (
  hash TEXT PRIMARY KEY NOT NULL CHECK (length(hash) = 64),
  size INTEGER NOT NULL CHECK (size >= 0),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  channels INTEGER NOT NULL CHECK (channels BETWEEN 1 AND 4),
  created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

-- An immutable, ordered list of samples. content_digest identifies the content
-- (paths, objects, labels) so that an identical folder creates no new version.
CREATE TABLE dataset_versions (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  number INTEGER NOT NULL CHECK (number >= 1),
  message TEXT,
  sample_count INTEGER NOT NULL,
  total_bytes INTEGER NOT NULL,
  content_digest TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (dataset_id, number)
);

-- position: the sample's index in its version (0-based, sorted by path).
CREATE TABLE samples (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
  position INTEGER NOT NULL,
  path TEXT NOT NULL,
  object_hash TEXT NOT NULL REFERENCES objects(hash),
  label TEXT,
  PRIMARY KEY (version_id, position),
  UNIQUE (version_id, path)
) WITHOUT ROWID;

CREATE INDEX samples_by_object ON samples(object_hash);

CREATE TABLE tags (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  name TEXT NOT NULL,
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, name)
) WITHOUT ROWID;
