"""augstore: feed training loops from an augstore run.

The Swift engine (``augstore engine``) renders the tensors; this package asks it for a run's batches
in the recorded order and hands them to the training loop as numpy arrays. Batch ``k`` of epoch ``e``
is byte for byte what ``augstore replay RUN --epoch e --batch k --batch-size B`` writes, and every
tensor's digest is recorded on its first delivery and checked on every later one.

    import augstore
    run = augstore.open("path/to/store").run("exp1")
    for batch in run.loader(epochs=range(3), batch_size=64):
        ...  # batch.images, batch.labels, batch.samples, batch.epoch, batch.index

Adapters: ``augstore.torch``, ``augstore.keras``, ``augstore.tf`` (each imports its framework lazily).
"""

from ._engine import PROTOCOL_VERSION, find_engine
from .errors import AugstoreError, EngineError, ProtocolMismatch
from .loader import Batch, Feed, Loader, Run, Store, batch_count, open

__all__ = [
    "AugstoreError", "Batch", "EngineError", "Feed", "Loader", "PROTOCOL_VERSION", "ProtocolMismatch",
    "Run", "Store", "batch_count", "find_engine", "open",
]
__version__ = "0.1.0"
