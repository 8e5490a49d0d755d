-- augstore catalog schema 5: decoded-original cache entries carry an 8-byte checksum.
--
-- The decoded pixels of originals (the decoded-original tier) are read back in full on every epoch
-- and never leave the store; checking them with SHA-256 cost as much as a third of an epoch's
-- augmentation. Their entries now hold XXH64 (8 bytes, big-endian); tensor entries keep the 32-byte
-- SHA-256 of their bytes, the digest records hold. SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt with the same rows.
CREATE TABLE cache_entries_v5 (
  key BLOB PRIMARY KEY NOT NULL CHECK (length(key) = 32),
  digest BLOB NOT NULL CHECK (length(digest) IN (8, 32)),
  size INTEGER NOT NULL CHECK (size >= 0),
  created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO cache_entries_v5 (key, digest, size, created_at, last_used_at)
  SELECT key, digest, size, created_at, last_used_at FROM cache_entries;

DROP TABLE cache_entries;

ALTER TABLE cache_entries_v5 RENAME TO cache_entries;

CREATE INDEX cache_entries_by_use ON cache_entries(last_used_at);
