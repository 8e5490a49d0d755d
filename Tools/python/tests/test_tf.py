"""TensorFlow: tf.data gives the loader's batches in the recorded order."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import augstore.tf  # noqa: E402


def test_tf_data_yields_the_recorded_batches(fresh_run):
    run = fresh_run()
    expected = list(run.loader(epochs=range(2), batch_size=8))
    data = augstore.tf.dataset(run, epochs=range(2), batch_size=8)
    assert int(data.cardinality()) == len(expected) == 6
    got = list(data)
    assert len(got) == 6
    for (images, labels), batch in zip(got, expected):
        assert images.dtype == tf.uint8 and labels.dtype == tf.int64
        assert np.array_equal(images.numpy(), batch.images)
        assert np.array_equal(labels.numpy(), batch.labels)


def test_tf_data_with_ranks(fresh_run):
    run = fresh_run()
    whole = list(augstore.tf.dataset(run, epochs=[0], batch_size=8))
    parts = [list(augstore.tf.dataset(run, epochs=[0], batch_size=8, rank=r, world_size=2)) for r in range(2)]
    for index, (images, _) in enumerate(whole):
        assert np.array_equal(np.concatenate([parts[0][index][0], parts[1][index][0]]), images.numpy())
