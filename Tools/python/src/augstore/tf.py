"""TensorFlow adapter: a run's batches as a ``tf.data.Dataset`` in the recorded order.

    ds = augstore.tf.dataset(run, epochs=range(3), batch_size=64)
    for images, labels in ds: ...

Every element is one batch (this rank's slice of a global batch), ``(images, labels)`` with images
in the pipeline's dtype and labels int64 (float32 mixed one-hot rows for MixUp/CutMix pipelines).
The dataset iterates the epochs in order, each time it is iterated; the tensors are those of
``Run.loader`` with the same arguments.
"""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from .loader import Epochs, Loader, Run


def dataset(run: Run, epochs: Epochs, batch_size: int, rank: int = 0, world_size: int = 1,
            drop_last: bool = False, cache: bool = False, prefetch: int = 4,
            jobs: Optional[int] = None) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of ``(images, labels)`` batches over ``epochs`` (see ``Run.loader``)."""
    loader = Loader(run, epochs, batch_size, rank=rank, world_size=world_size, drop_last=drop_last,
                    cache=cache, prefetch=prefetch, jobs=jobs)
    rank_of_image = 4

    def generate():
        for batch in loader:
            yield batch.images, batch.labels

    signature = (
        tf.TensorSpec(shape=(None,) * rank_of_image, dtype=tf.as_dtype(run.dtype)),
        tf.TensorSpec(shape=(None, len(run.labels)), dtype=tf.float32) if run.soft_labels
        else tf.TensorSpec(shape=(None,), dtype=tf.int64),
    )
    data = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return data.apply(tf.data.experimental.assert_cardinality(len(loader)))
