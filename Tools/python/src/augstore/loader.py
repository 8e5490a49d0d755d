"""Stores, runs, and the loader that feeds a training loop a run's recorded batches."""

from __future__ import annotations

import collections
import dataclasses
import os
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

import numpy as np

from ._engine import Engine, open_run
from .errors import AugstoreError, EngineError

#: The ``format`` field of a loader state dict.
STATE_FORMAT = "augstore.loader/1"

Epochs = Union[int, range, Sequence[int]]


@dataclasses.dataclass
class Batch:
    """One rank's slice of one global batch, in the epoch's recorded order."""

    #: The tensors, ``[n, H, W, C]`` (or ``[n, C, H, W]``), in the pipeline's output dtype.
    images: np.ndarray
    #: Class indexes into ``Run.labels`` (int64), -1 where unlabelled; for a pipeline with MixUp or
    #: CutMix, mixed one-hot labels (float32 ``[n, len(Run.labels)]``).
    labels: np.ndarray
    #: The samples' relative paths.
    samples: list
    #: The epoch.
    epoch: int
    #: The global batch index within the epoch.
    index: int
    #: Position of the first sample in the epoch's order.
    start: int
    #: Each tensor's SHA-256 (hex) of its ``.npy`` bytes, as ``replay`` and ``history`` show it.
    digests: list
    #: Cached delivery: the ``.npy`` cache files the images were mapped from.
    files: list = dataclasses.field(default_factory=list)


def normalize_epochs(epochs: Epochs) -> list:
    """``epochs`` as a list of epoch numbers: an int, a range or a sequence of ints."""
    if isinstance(epochs, bool):
        raise ValueError(f"epochs must be an int, a range or a list of ints, not {epochs!r}")
    if isinstance(epochs, (int, np.integer)):
        values = [int(epochs)]
    elif isinstance(epochs, (range, list, tuple)) or (
            isinstance(epochs, np.ndarray) and epochs.ndim == 1):
        values = list(epochs)
    else:
        raise ValueError(f"epochs must be an int, a range or a list of ints, not {type(epochs).__name__}")
    if not values:
        raise ValueError("epochs: no epoch given")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"epochs: {value!r} is not an epoch (a non-negative int)")
    return [int(value) for value in values]


def check_plan(batch_size: int, rank: int, world_size: int) -> None:
    """Raises ``ValueError`` for a batch size, rank or world size that cannot split batches."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an int of at least 1, not {batch_size!r}")
    if isinstance(world_size, bool) or not isinstance(world_size, (int, np.integer)) or world_size < 1:
        raise ValueError(f"world_size must be an int of at least 1, not {world_size!r}")
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < world_size:
        raise ValueError(f"rank {rank!r} is not in 0..{world_size - 1} (world_size {world_size})")
    if batch_size % world_size:
        raise ValueError(
            f"batch_size {batch_size} is not divisible by world_size {world_size}: "
            "every rank must get an equal slice")


def batch_count(samples: int, batch_size: int, drop_last: bool) -> int:
    """Global batches in an epoch of ``samples``."""
    return samples // batch_size if drop_last else -(-samples // batch_size)


class Store:
    """An augstore store folder; ``run(name)`` opens one of its runs."""

    def __init__(self, path: str, binary: Optional[str] = None) -> None:
        self.path = os.path.abspath(path)
        self.binary = binary
        if not any(os.path.isfile(os.path.join(self.path, name))
                   for name in ("catalog.sqlite", "catalog.json")):
            raise AugstoreError(
                f"{path}: no augstore store here (create one with `augstore init {path}`)")

    def run(self, name: str) -> "Run":
        """The run called ``name``; raises ``AugstoreError`` if there is none."""
        return Run(self, name)

    def __repr__(self) -> str:
        return f"augstore.Store({self.path!r})"


def open(path: Optional[str] = None, binary: Optional[str] = None) -> Store:  # noqa: A001
    """Opens the store at ``path`` (default: ``$AUGSTORE_STORE``, else ``./.augstore``).

    ``binary`` is the ``augstore`` executable (default: ``$AUGSTORE_BIN``, else ``augstore`` on PATH).
    """
    return Store(path or os.environ.get("AUGSTORE_STORE") or ".augstore", binary=binary)


class Run:
    """A run of a store: its dataset version, pipeline, labels, and loaders over its epochs."""

    def __init__(self, store: Store, name: str) -> None:
        self.store = store
        self.name = name
        engine, info = open_run(store.path, name, binary=store.binary)
        engine.close()
        self._info = info
        #: Samples per epoch.
        self.samples: int = info["samples"]
        #: Class names in sorted order; ``Batch.labels`` index this list.
        self.labels: list = info["labels"]
        #: The dataset version, ``NAME@vN``.
        self.dataset: str = info["dataset"]
        #: The pipeline, ``NAME@vN``, and its fingerprint.
        self.pipeline: str = info["pipeline"]
        self.fingerprint: str = info["fingerprint"]
        #: The tensors' NumPy dtype and layout.
        self.dtype = np.dtype(info["dtype"])
        self.layout: str = info["layout"]
        #: Whether batches carry mixed one-hot labels (the pipeline has MixUp or CutMix).
        self.soft_labels: bool = bool(info.get("soft_labels", False))

    def loader(self, epochs: Epochs, batch_size: int, rank: int = 0, world_size: int = 1,
               drop_last: bool = False, cache: bool = False, prefetch: int = 4,
               jobs: Optional[int] = None) -> "Loader":
        """A loader over ``epochs`` delivering this rank's slice of each global batch, in order."""
        return Loader(self, epochs, batch_size, rank=rank, world_size=world_size, drop_last=drop_last,
                      cache=cache, prefetch=prefetch, jobs=jobs)

    def batches_per_epoch(self, batch_size: int, drop_last: bool = False) -> int:
        """Global batches in each epoch."""
        return batch_count(self.samples, batch_size, drop_last)

    def __repr__(self) -> str:
        return f"augstore.Run({self.name!r}, dataset={self.dataset!r}, pipeline={self.pipeline!r})"


class Feed:
    """An engine with a run open, fetching batches along a known sequence of (epoch, index) keys.

    ``get(key, ahead)`` returns the batch for ``key`` and keeps the batches of ``ahead`` (up to
    ``prefetch`` of them) requested, so the engine renders them while the caller trains. A request
    out of sequence drops what was in flight. Safe to copy into forked worker processes: a process
    that did not start the engine starts its own.
    """

    def __init__(self, run: Run, batch_size: int, rank: int = 0, world_size: int = 1,
                 drop_last: bool = False, cache: bool = False, prefetch: int = 4,
                 jobs: Optional[int] = None) -> None:
        check_plan(batch_size, rank, world_size)
        if isinstance(prefetch, bool) or not isinstance(prefetch, int) or prefetch < 0:
            raise ValueError(f"prefetch must be an int of at least 0, not {prefetch!r}")
        self.store_path = run.store.path
        self.binary = run.store.binary
        self.run_name = run.name
        self.batch_size = int(batch_size)
        self.rank = int(rank)
        self.world_size = int(world_size)
        self.drop_last = bool(drop_last)
        self.cache = bool(cache)
        self.prefetch = prefetch
        self.jobs = jobs
        self._engine: Optional[Engine] = None
        self._owner = None
        self._keys: collections.deque = collections.deque()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_engine"] = None
        state["_owner"] = None
        state["_keys"] = collections.deque()
        return state

    @property
    def engine(self) -> Engine:
        """The engine of this process, started on first use."""
        if self._engine is None or self._owner != os.getpid() or not self._engine.alive:
            if self._engine is not None and self._owner == os.getpid():
                if self._keys:
                    # It died with requests in flight: that is an error naming the first batch it owed,
                    # never a silent restart (the caller's next iteration starts a new engine).
                    epoch, index = self._keys[0]
                    self._keys.clear()
                    engine, self._engine = self._engine, None
                    raise engine._died(f"serving run {self.run_name!r} epoch {epoch} batch {index}")
                self._engine.close()
            engine, _ = open_run(self.store_path, self.run_name, binary=self.binary, jobs=self.jobs,
                                 prefetch=max(1, self.prefetch))
            self._engine, self._owner = engine, os.getpid()
            self._keys = collections.deque()
        return self._engine

    def get(self, key: tuple, ahead: Sequence[tuple] = ()) -> Batch:
        """The batch ``key = (epoch, index)``; the first ``prefetch`` keys of ``ahead`` stay requested."""
        engine = self.engine
        wanted = [key, *list(ahead)[:self.prefetch]]
        if list(self._keys) != wanted[:len(self._keys)]:
            engine.drain()
            self._keys.clear()
        for next_key in wanted[len(self._keys):]:
            engine.send(self._request(next_key))
            self._keys.append(next_key)
        self._keys.popleft()
        epoch, index = key
        header, payload = engine.receive(
            f"serving run {self.run_name!r} epoch {epoch} batch {index}")
        return self._batch(header, payload)

    def kill(self) -> None:
        """Ends the engine at once (after an interrupt); the next ``get`` starts a new one."""
        if self._engine is not None and self._owner == os.getpid():
            self._engine.kill()
        self._engine = None
        self._keys.clear()

    def close(self) -> None:
        """Ends the engine after its in-flight requests."""
        if self._engine is not None and self._owner == os.getpid():
            self._engine.close()
        self._engine = None
        self._keys.clear()

    def _request(self, key: tuple) -> dict:
        epoch, index = key
        return {"op": "batch", "epoch": int(epoch), "index": int(index), "batch_size": self.batch_size,
                "drop_last": self.drop_last, "rank": self.rank, "world_size": self.world_size,
                "delivery": "cached" if self.cache else "streaming"}

    def _batch(self, header: dict, payload: Optional[np.ndarray]) -> Batch:
        shape = tuple(header["shape"])
        dtype = np.dtype(header["dtype"])
        files = header.get("files") or []
        if files:
            arrays = [np.load(path, mmap_mode="r") for path in files]
            for path, array in zip(files, arrays):
                if array.shape != shape[1:] or array.dtype != dtype:
                    raise AugstoreError(
                        f"run {self.run_name!r} epoch {header['epoch']} batch {header['index']}: "
                        f"{path} holds {array.dtype}{list(array.shape)}, expected {dtype}{list(shape[1:])}")
            images = np.stack(arrays) if arrays else np.empty(shape, dtype=dtype)
        elif payload is not None:
            images = payload.view(dtype).reshape(shape)
        else:
            images = np.empty(shape, dtype=dtype)
        if "soft_labels" in header:
            labels = np.asarray(header["soft_labels"], dtype=np.float32).reshape(len(header["samples"]), -1)
        else:
            labels = np.asarray(header["labels"], dtype=np.int64)
        return Batch(images=images, labels=labels,
                     samples=list(header["samples"]), epoch=int(header["epoch"]),
                     index=int(header["index"]), start=int(header["start"]),
                     digests=list(header["digests"]), files=list(files))


class Loader:
    """Delivers a run's batches in the recorded order, this rank's slice of each global batch.

    Global batch ``k`` of epoch ``e`` is positions ``[k*B, (k+1)*B)`` of the epoch's recorded order
    (the last one shorter unless ``drop_last``); rank ``r`` of ``world_size`` gets the ``r``-th of
    ``world_size`` contiguous slices. ``state_dict()`` names the next global batch, so a loader of
    any world size resumes exactly there with ``load_state_dict``.
    """

    def __init__(self, run: Run, epochs: Epochs, batch_size: int, rank: int = 0, world_size: int = 1,
                 drop_last: bool = False, cache: bool = False, prefetch: int = 4,
                 jobs: Optional[int] = None) -> None:
        self.run = run
        self.epochs = normalize_epochs(epochs)
        self.batch_size = int(batch_size) if isinstance(batch_size, (int, np.integer)) else batch_size
        self.rank = rank
        self.world_size = world_size
        self.drop_last = bool(drop_last)
        self.cache = bool(cache)
        self.prefetch = prefetch
        self._feed = Feed(run, batch_size, rank=rank, world_size=world_size, drop_last=drop_last,
                          cache=cache, prefetch=prefetch, jobs=jobs)
        self.batches_per_epoch = run.batches_per_epoch(self.batch_size, self.drop_last)
        self._epoch_index = 0
        self._next_batch = 0

    def __len__(self) -> int:
        return len(self.epochs) * self.batches_per_epoch

    def __iter__(self) -> Iterator[Batch]:
        if self._finished:
            self._epoch_index, self._next_batch = 0, 0
        return self._generate()

    @property
    def _finished(self) -> bool:
        return self._epoch_index >= len(self.epochs)

    def _key(self, epoch_index: int, index: int) -> tuple:
        return (self.epochs[epoch_index], index)

    def _ahead(self, count: int) -> list:
        keys = []
        epoch_index, index = self._epoch_index, self._next_batch + 1
        while len(keys) < count:
            if index >= self.batches_per_epoch:
                epoch_index, index = epoch_index + 1, 0
            if epoch_index >= len(self.epochs):
                break
            keys.append(self._key(epoch_index, index))
            index += 1
        return keys

    def _generate(self) -> Iterator[Batch]:
        if self.batches_per_epoch == 0:
            self._epoch_index = len(self.epochs)
            return
        while not self._finished:
            key = self._key(self._epoch_index, self._next_batch)
            try:
                batch = self._feed.get(key, self._ahead(self._feed.prefetch))
            except EngineError:
                self._feed.close()
                raise
            except (KeyboardInterrupt, SystemExit):
                self._feed.kill()
                raise
            self._next_batch += 1
            if self._next_batch >= self.batches_per_epoch:
                self._epoch_index, self._next_batch = self._epoch_index + 1, 0
            if self._finished:
                # The engine commits the digests it gathered when it ends: end it with the last batch.
                self._feed.close()
            yield batch

    def state_dict(self) -> dict:
        """Where the loader stands: the next global batch to deliver (plain, JSON-serialisable)."""
        finished = self._finished
        return {
            "format": STATE_FORMAT,
            "run": self.run.name,
            "fingerprint": self.run.fingerprint,
            "batch_size": self.batch_size,
            "drop_last": self.drop_last,
            "epochs": list(self.epochs),
            "epoch": None if finished else self.epochs[self._epoch_index],
            "epoch_index": self._epoch_index,
            "next_batch": 0 if finished else self._next_batch,
        }

    def load_state_dict(self, state: dict) -> None:
        """Resumes at the next global batch of ``state``, whatever rank and world size made it.

        Raises ``ValueError`` when ``state`` belongs to another run, batch size or ``drop_last``, or
        names an epoch this loader does not cover.
        """
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise ValueError(f"not an augstore loader state (expected format {STATE_FORMAT!r})")
        if state.get("run") != self.run.name:
            raise ValueError(f"state is for run {state.get('run')!r}, this loader reads run {self.run.name!r}")
        if state.get("batch_size") != self.batch_size:
            raise ValueError(
                f"state was saved with batch_size {state.get('batch_size')}, this loader has {self.batch_size}: "
                "global batches would differ")
        if bool(state.get("drop_last")) != self.drop_last:
            raise ValueError(
                f"state was saved with drop_last={state.get('drop_last')}, this loader has {self.drop_last}")
        epoch, next_batch = state.get("epoch"), state.get("next_batch", 0)
        if epoch is None:
            self._epoch_index, self._next_batch = len(self.epochs), 0
            return
        index = state.get("epoch_index")
        if not (isinstance(index, int) and 0 <= index < len(self.epochs) and self.epochs[index] == epoch):
            if epoch not in self.epochs:
                raise ValueError(f"state resumes at epoch {epoch}, which this loader's epochs {self.epochs} lack")
            index = self.epochs.index(epoch)
        if not isinstance(next_batch, int) or not 0 <= next_batch < self.batches_per_epoch:
            raise ValueError(
                f"state resumes at batch {next_batch!r}; epoch {epoch} has {self.batches_per_epoch} batches")
        self._epoch_index, self._next_batch = index, next_batch

    def close(self) -> None:
        """Ends the loader's engine (it also ends when the loader is garbage-collected)."""
        self._feed.close()

    def __enter__(self) -> "Loader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def engine_pid(self) -> Optional[int]:
        """The engine's process id, while one runs."""
        engine = self._feed._engine
        return engine.pid if engine is not None and engine.alive else None
