"""PyTorch adapter: a run's batches through ``torch.utils.data.DataLoader`` (or torchdata's
``StatefulDataLoader``), in the recorded order whatever ``num_workers`` is.

``BatchDataset`` is a map-style dataset whose item ``i`` is the ``i``-th batch of the loader's sequence
(epoch by epoch, global batch by global batch, this rank's slice), so a DataLoader with
``batch_size=None`` and the default sequential sampler yields exactly the batches of
``Run.loader``: workers fetch items by index and the DataLoader puts them back in index order. Each
worker process starts its own engine on first use. ``StatefulDataLoader.state_dict()`` counts the
items yielded, so resuming continues at the next global batch, on any number of workers or ranks.

    loader = augstore.torch.data_loader(run, epochs=range(3), batch_size=64, num_workers=2)
    for batch in loader:
        batch["images"], batch["labels"], batch["epoch"], batch["index"], batch["samples"]
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.utils.data

from .loader import Epochs, Feed, Run, batch_count, check_plan, normalize_epochs


class BatchDataset(torch.utils.data.Dataset):
    """Map-style dataset: item ``i`` is the ``i``-th batch of the run's epochs, as a dict of tensors.

    Items are ``{"images": uint8/float32 tensor [n, ...], "labels": int64 tensor [n] (float32 mixed
    one-hot [n, classes] for MixUp/CutMix runs), "epoch": int, "index": int, "samples": list of paths}``. Use it with ``batch_size=None`` (the items are batches
    already) and no shuffling; ``sampler()`` gives the matching sequential sampler.
    """

    def __init__(self, run: Run, epochs: Epochs, batch_size: int, rank: int = 0, world_size: int = 1,
                 drop_last: bool = False, cache: bool = False, prefetch: int = 2,
                 jobs: Optional[int] = None) -> None:
        check_plan(batch_size, rank, world_size)
        self.run_name = run.name
        self.epochs = normalize_epochs(epochs)
        self.batch_size = int(batch_size)
        self.batches_per_epoch = batch_count(run.samples, self.batch_size, drop_last)
        self._feed = Feed(run, batch_size, rank=rank, world_size=world_size, drop_last=drop_last,
                          cache=cache, prefetch=prefetch, jobs=jobs)

    def __len__(self) -> int:
        return len(self.epochs) * self.batches_per_epoch

    def key(self, item: int) -> tuple:
        """``(epoch, global batch index)`` of item ``item``."""
        if not 0 <= item < len(self):
            raise IndexError(f"batch item {item} out of range 0..{len(self) - 1}")
        return (self.epochs[item // self.batches_per_epoch], item % self.batches_per_epoch)

    def __getitem__(self, item: int) -> dict:
        item = int(item)
        key = self.key(item)
        # Workers see every num_workers-th item; prefetching along the sequence pays off in the
        # main process only.
        info = torch.utils.data.get_worker_info()
        step = 1 if info is None else info.num_workers
        ahead = [self.key(next_item) for next_item in range(item + step, min(len(self), item + step * 3), step)]
        batch = self._feed.get(key, ahead)
        return {
            "images": torch.from_numpy(batch.images if batch.images.flags.writeable else batch.images.copy()),
            "labels": torch.from_numpy(batch.labels),
            "epoch": batch.epoch,
            "index": batch.index,
            "samples": batch.samples,
        }

    def sampler(self) -> torch.utils.data.Sampler:
        """The sequential sampler that keeps the recorded order."""
        return torch.utils.data.SequentialSampler(self)


def data_loader(run: Run, epochs: Epochs, batch_size: int, rank: int = 0, world_size: int = 1,
                drop_last: bool = False, cache: bool = False, num_workers: int = 0,
                stateful: bool = False, jobs: Optional[int] = None, **kwargs):
    """A ``DataLoader`` (``StatefulDataLoader`` with ``stateful=True``) over a ``BatchDataset``.

    Extra keyword arguments go to the DataLoader (``prefetch_factor``, ``persistent_workers``,
    ``pin_memory``, ``multiprocessing_context``…); ``batch_size``, ``shuffle`` and ``sampler`` are
    fixed by the recorded order.
    """
    for fixed in ("batch_size", "shuffle", "sampler", "batch_sampler"):
        if fixed in kwargs:
            raise ValueError(f"{fixed} is fixed by the run's recorded order; remove it")
    dataset = BatchDataset(run, epochs, batch_size, rank=rank, world_size=world_size,
                           drop_last=drop_last, cache=cache, jobs=jobs)
    if stateful:
        from torchdata.stateful_dataloader import StatefulDataLoader
        factory = StatefulDataLoader
    else:
        factory = torch.utils.data.DataLoader
    return factory(dataset, batch_size=None, sampler=dataset.sampler(), num_workers=num_workers, **kwargs)
