"""The engine process: one long-lived ``augstore engine`` per loader, spoken to over a pipe.

Protocol (see ``EngineProtocol.swift``): every message is one JSON line; a batch response is followed
by ``payload`` bytes of tensor data. The engine speaks first (``{"protocol": N, "engine": ...}``), then
answers each request in the order sent, so a client may send several requests before reading them.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import threading
import weakref
from typing import Any, Optional

import numpy as np

from .errors import AugstoreError, EngineError, ProtocolMismatch

#: The engine protocol version this package speaks.
PROTOCOL_VERSION = 1

_PIPE_SIZE = 1 << 20


def find_engine(binary: Optional[str] = None) -> str:
    """The ``augstore`` executable: ``binary``, else ``$AUGSTORE_BIN``, else ``augstore`` on ``PATH``."""
    candidate = binary or os.environ.get("AUGSTORE_BIN") or shutil.which("augstore")
    if not candidate:
        raise AugstoreError(
            "augstore engine not found: put `augstore` on PATH or set AUGSTORE_BIN to its path"
        )
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise AugstoreError(f"{candidate}: not an executable augstore engine (AUGSTORE_BIN or PATH)")
    return candidate


def _shutdown(process: subprocess.Popen, owner: int) -> None:
    """Ends the engine: closes its input (it exits), then kills it if it lingers.

    Only the process that started the engine ends it: a forked DataLoader worker inherits the
    object but must leave its parent's engine alone.
    """
    if os.getpid() != owner or process.poll() is not None:
        return
    try:
        process.stdin.close()
    except (OSError, ValueError):
        pass
    try:
        # It commits the digests it gathered, then exits; give it time before killing it.
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr):
        try:
            stream.close()
        except (OSError, ValueError):
            pass


def _drain(stream, lines: collections.deque) -> None:
    """Keeps the last lines the engine writes to stderr, for error messages."""
    try:
        for line in iter(stream.readline, b""):
            lines.append(line.decode("utf-8", "replace").rstrip())
    except (OSError, ValueError):
        pass


class Engine:
    """A running ``augstore engine`` bound to one store.

    Requests are written as JSON lines; responses are read in order. ``send`` and ``receive`` are
    separate so that a client can keep several requests in flight (``prefetch``): the engine renders
    them ahead and holds at most ``prefetch`` rendered batches until they are read.
    """

    def __init__(self, store: str, binary: Optional[str] = None, jobs: Optional[int] = None,
                 prefetch: int = 2) -> None:
        self.binary = find_engine(binary)
        self.store = store
        command = [self.binary, "engine", "--store", store, "--prefetch", str(max(1, prefetch))]
        if jobs:
            command += ["--jobs", str(jobs)]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                bufsize=0)
        except OSError as error:
            raise AugstoreError(f"{self.binary}: cannot start the augstore engine: {error}") from None
        self._owner = os.getpid()
        self._finalizer = weakref.finalize(self, _shutdown, self._process, self._owner)
        self._stderr: collections.deque = collections.deque(maxlen=20)
        # The thread must not hold the engine, or the engine would never be collected.
        threading.Thread(target=_drain, args=(self._process.stderr, self._stderr), daemon=True).start()
        try:
            import fcntl
            fcntl.fcntl(self._process.stdout.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        except (ImportError, AttributeError, OSError):
            pass
        self._out = self._process.stdout
        self._buffer = bytearray()
        self.pending = 0
        hello = self._read_header("starting")
        version = hello.get("protocol")
        if version != PROTOCOL_VERSION:
            self.close()
            raise ProtocolMismatch(
                f"{self.binary} ({hello.get('engine', 'unknown engine')}) speaks engine protocol "
                f"{version}; this augstore Python package speaks protocol {PROTOCOL_VERSION}: "
                "install matching versions")
        self.version = hello.get("engine", "")

    # -- process -----------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        """The engine's process id."""
        return self._process.pid

    @property
    def alive(self) -> bool:
        """Whether the engine process is running."""
        return self._process.poll() is None

    def close(self) -> None:
        """Ends the engine (idempotent)."""
        self._finalizer()

    def kill(self) -> None:
        """Ends the engine at once (after an interrupt, whose requests may still be in flight)."""
        if os.getpid() == self._owner and self._process.poll() is None:
            self._process.kill()
        self._finalizer()

    # -- messages ----------------------------------------------------------------------------

    def send(self, request: dict) -> None:
        """Writes one request; its response is read later by ``receive``, in order."""
        data = (json.dumps(request, separators=(",", ":")) + "\n").encode()
        try:
            self._process.stdin.write(data)
            self._process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._died(f"sending {request.get('op')}") from None
        self.pending += 1

    def receive(self, context: str) -> tuple[dict, Optional[np.ndarray]]:
        """Reads the next response: its header and, for a batch, its payload as a uint8 array.

        Raises ``AugstoreError`` with the engine's one-line message when the request failed, and
        ``EngineError`` naming ``context`` when the engine died.
        """
        header = self._read_header(context)
        self.pending -= 1
        size = int(header.get("payload", 0) or 0)
        payload = None
        if size:
            payload = np.empty(size, dtype=np.uint8)
            self._read_into(memoryview(payload), context)
        if header.get("ok") is False:
            raise AugstoreError(header.get("error", "the engine refused the request"))
        return header, payload

    def call(self, request: dict, context: str) -> tuple[dict, Optional[np.ndarray]]:
        """Sends ``request`` and returns its response (no request may be in flight)."""
        self.drain()
        self.send(request)
        return self.receive(context)

    def drain(self) -> None:
        """Reads and drops the responses of requests still in flight."""
        while self.pending:
            try:
                self.receive("draining")
            except EngineError:
                raise
            except AugstoreError:
                pass

    def _read_header(self, context: str) -> dict:
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[:newline + 1]
                try:
                    return json.loads(line)
                except ValueError:
                    raise EngineError(
                        f"augstore engine sent an unreadable response while {context}: {line[:80]!r}"
                    ) from None
            chunk = self._read_some(1 << 16)
            if not chunk:
                raise self._died(context)
            self._buffer += chunk

    def _read_into(self, view: memoryview, context: str) -> None:
        filled = min(len(self._buffer), len(view))
        if filled:
            view[:filled] = self._buffer[:filled]
            del self._buffer[:filled]
        while filled < len(view):
            count = self._readinto(view[filled:])
            if not count:
                raise self._died(context)
            filled += count

    def _read_some(self, size: int) -> bytes:
        try:
            return self._out.read(size)
        except (OSError, ValueError):
            return b""

    def _readinto(self, view: memoryview) -> int:
        try:
            return self._out.readinto(view) or 0
        except (OSError, ValueError):
            return 0

    def _died(self, context: str) -> EngineError:
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        detail = ""
        if self._stderr:
            detail = f": {self._stderr[-1]}"
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        self.pending = 0
        return EngineError(f"augstore engine (pid {self._process.pid}) {how} while {context}{detail}")


def open_run(store: str, run: str, binary: Optional[str] = None, jobs: Optional[int] = None,
             prefetch: int = 2) -> tuple[Engine, dict[str, Any]]:
    """Starts an engine and opens ``run`` on it; returns the engine and the run's description."""
    engine = Engine(store, binary=binary, jobs=jobs, prefetch=prefetch)
    try:
        info, _ = engine.call({"op": "open", "run": run}, f"opening run {run!r}")
    except BaseException:
        engine.close()
        raise
    return engine, info
