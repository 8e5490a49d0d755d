"""PyTorch: DataLoader with any num_workers and StatefulDataLoader resume give the recorded batches."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchdata")

import augstore.torch  # noqa: E402
from conftest import tensor_hash  # noqa: E402


def hashes(batches):
    return [(int(b["epoch"]), int(b["index"]), tensor_hash(b["images"].numpy()),
             tuple(b["labels"].tolist())) for b in batches]


def test_batches_are_the_same_for_0_1_2_and_4_workers(fresh_run):
    run = fresh_run()
    reference = [(b.epoch, b.index, tensor_hash(b.images), tuple(b.labels.tolist()))
                 for b in run.loader(epochs=range(2), batch_size=4)]
    for workers in (0, 1, 2, 4):
        loader = augstore.torch.data_loader(run, epochs=range(2), batch_size=4, num_workers=workers)
        assert len(loader) == 12
        assert hashes(loader) == reference, f"num_workers={workers}"


def test_items_are_tensors_with_paths(fresh_run, cli, tmp_path):
    import numpy as np
    run = fresh_run()
    dataset = augstore.torch.BatchDataset(run, epochs=[3], batch_size=8)
    item = dataset[1]
    assert item["images"].dtype == torch.uint8 and tuple(item["images"].shape) == (8, 28, 28, 3)
    assert item["labels"].dtype == torch.int64 and (item["epoch"], item["index"]) == (3, 1)
    images, labels, samples = cli.replay_batch(run.name, 3, 1, 8, tmp_path)
    assert np.array_equal(item["images"].numpy(), images) and item["samples"] == samples
    with pytest.raises(IndexError):
        dataset[3]


def test_ranks_split_each_global_batch(fresh_run):
    run = fresh_run()
    whole = list(augstore.torch.data_loader(run, epochs=[0], batch_size=8))
    parts = [list(augstore.torch.data_loader(run, epochs=[0], batch_size=8, rank=r, world_size=2,
                                             num_workers=2)) for r in range(2)]
    for index, batch in enumerate(whole):
        assert torch.equal(torch.cat([parts[0][index]["images"], parts[1][index]["images"]]), batch["images"])


@pytest.mark.parametrize("workers", [0, 2])
def test_stateful_dataloader_resumes_exactly(fresh_run, workers):
    run = fresh_run()
    reference = hashes(augstore.torch.data_loader(run, epochs=range(3), batch_size=4))
    first = augstore.torch.data_loader(run, epochs=range(3), batch_size=4, num_workers=workers, stateful=True)
    taken = []
    for batch in first:
        taken.append(batch)
        if len(taken) == 7:
            break
    state = first.state_dict()
    del first
    again = augstore.torch.data_loader(run, epochs=range(3), batch_size=4, num_workers=workers, stateful=True)
    again.load_state_dict(state)
    assert hashes(taken) + hashes(again) == reference


def test_fixed_arguments_are_refused(fresh_run):
    run = fresh_run()
    with pytest.raises(ValueError, match="shuffle is fixed by the run's recorded order"):
        augstore.torch.data_loader(run, epochs=0, batch_size=4, shuffle=True)
