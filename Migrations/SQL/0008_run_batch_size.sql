-- augstore catalog schema 8: a run's batch size.
--
-- A pipeline with a batch-level layer (MixUp, CutMix) mixes each sample with a partner from its
-- global batch, so the batch size is part of what the run's records depend on. NULL for runs
-- without one (every run made before this schema).
ALTER TABLE runs ADD COLUMN batch_size INTEGER CHECK (batch_size IS NULL OR batch_size >= 1);
