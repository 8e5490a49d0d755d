-- augstore catalog schema 9: a run's kernel version.
--
-- Kernel arithmetic is part of what a run depends on (like its draw scheme and decoder): each run
-- records the kernel version it is rendered with. Runs made before this schema normalised Gaussian
-- taps (RandomGaussianBlur, RandomElasticTransform) by a left-to-right sum: version 1. New runs
-- record the version of the augstore that creates them (2: TensorFlow's reduce_sum order, as Keras).
ALTER TABLE runs ADD COLUMN kernels INTEGER NOT NULL DEFAULT 1 CHECK (kernels >= 1);
