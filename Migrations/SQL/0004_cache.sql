-- augstore catalog schema 4: the index of the tensor cache under <store>/cache.

-- One materialized tensor file, cache/ab/cdef….npy, named by its key: the SHA-256 of everything
-- that determines its bytes (original object, pipeline fingerprint, recorded parameters, output
-- format). digest is the SHA-256 of the file's bytes, checked on every read.
CREATE TABLE cache_entries (
  key BLOB PRIMARY KEY NOT NULL CHECK (length(key) = 32),
  digest BLOB NOT NULL CHECK (length(digest) = 32),
  size INTEGER NOT NULL CHECK (size >= 0),
  created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX cache_entries_by_use ON cache_entries(last_used_at);

-- Running hit and miss counts (one row per counter).
CREATE TABLE cache_counters (
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO cache_counters (name, value) VALUES ('hits', 0), ('misses', 0), ('rebuilt', 0);
