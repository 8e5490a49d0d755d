"""The errors the augstore package raises; each message is one line naming what is at fault."""


class AugstoreError(Exception):
    """A store, run, epoch, batch or sample that cannot be served; the message names it."""


class EngineError(AugstoreError):
    """The engine process died or broke the protocol; the message names run, epoch and batch."""


class ProtocolMismatch(AugstoreError):
    """The engine speaks another protocol version than this package; the message names both."""
