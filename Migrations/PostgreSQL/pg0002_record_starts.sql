-- Where the records of a block start in `params`, so `history` reads one sample's record with
-- `substring` instead of the whole column (about 32 KB per block and epoch).
--
-- `starts`: little-endian UInt32 byte offsets into `params` of records 0, 32, 64, … of the block,
-- followed by the length of `params` (`count / 32` rounded up, plus one, values). A record is found
-- by reading from the start of its group of 32 to the start of the next and skipping the records
-- before it in that slice. Small enough to stay inline in the row.
--
-- Rows written before this file have no `starts` (NULL); readers then read the whole `params`.
ALTER TABLE record_blocks ADD COLUMN starts BYTEA;
