"""``--state`` persistence: checked loading, an exclusive lock, and durable debounced saves.

A save writes a temporary file, fsyncs it, renames it over the state file and fsyncs the
directory, so a crash leaves the old or the new file, never half of one. A failed save (full disk,
read-only directory) is logged, counted and retried; it never stops the simulator.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("ecs_simulator")
RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)


class StateFileError(Exception):
    """The state file cannot be used; the message is the one-line reason shown at start."""


def check_state(data: Any) -> dict[str, Any]:
    """The loaded JSON if it has the simulator's shape; StateFileError naming the first problem."""
    if not isinstance(data, dict):
        raise StateFileError(f"top level is {type(data).__name__}, expected an object")
    for key in ("namespaces", "buckets", "users", "capacity", "vdc"):
        if key in data and not isinstance(data[key], dict):
            raise StateFileError(f'"{key}" is {type(data[key]).__name__}, expected an object')
    for name, ns in data.get("namespaces", {}).items():
        if not isinstance(ns, dict) or ns.get("name") != name:
            raise StateFileError(f"namespace {name!r} is not a namespace record")
    for ns, buckets in data.get("buckets", {}).items():
        if not isinstance(buckets, dict) or ns not in data.get("namespaces", {}):
            raise StateFileError(f"buckets of {ns!r}: not an object, or no such namespace")
        for name, b in buckets.items():
            if (
                not isinstance(b, dict)
                or not isinstance(b.get("size_bytes"), int)
                or not isinstance(b.get("objects"), int)
            ):
                raise StateFileError(f"bucket {ns}/{name} lacks integer size_bytes/objects")
    for key in ("total_provisioned_gb", "total_free_gb"):
        value = data.get("capacity", {}).get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise StateFileError(f"capacity.{key} is not a number")
    if not isinstance(data.get("replication_groups", []), list):
        raise StateFileError('"replication_groups" is not a list')
    return data


def load_state(path: Path) -> dict[str, Any] | None:
    """None when the file does not exist yet; StateFileError when it cannot be used."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(f"cannot read it: {exc.strerror or exc}") from None
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise StateFileError(f"not valid JSON ({exc})") from None
    return check_state(data)


class StateLock:
    """An exclusive ``flock`` on ``<state>.lock``: a second simulator on the same file is refused."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_name(path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StateFileError(f"in use by another ecs-simulator (lock held on {self.path.name})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


def write_atomic(path: Path, text: str) -> None:
    """tmp file + fsync + rename + directory fsync."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class Persister:
    """Debounced saves from one thread: changes mark it dirty; it writes at most every 0.2 s."""

    def __init__(self, path: Path, snapshot: Callable[[], str]) -> None:
        self.path = path
        self._snapshot = snapshot  # returns the JSON text, taken under the simulator lock
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._io = threading.Lock()
        self.saves = 0
        self.failures = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="ecs-sim-persist", daemon=True)
        self._thread.start()

    def mark_dirty(self) -> None:
        self._dirty.set()

    def report(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "saves": self.saves,
            "failures": self.failures,
            "last_error": self.last_error,
            "pending": self._dirty.is_set(),
        }

    def _run(self) -> None:
        failed = 0
        while not self._stop.is_set():
            if not self._dirty.wait(0.5):
                continue
            self._stop.wait(0.2)
            if self._stop.is_set():
                return
            if self.flush():
                failed = 0
            else:
                self._stop.wait(RETRY_S[min(failed, len(RETRY_S) - 1)])
                failed += 1

    def flush(self) -> bool:
        """Save now; False (and still dirty) when the write failed."""
        with self._io:
            self._dirty.clear()
            text = self._snapshot()
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.path, text)
            except OSError as exc:
                self._dirty.set()
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc.strerror or exc}"
                log.warning("state save to %s failed (%s); will retry", self.path, self.last_error)
                return False
            self.saves += 1
            return True

    def close(self, attempts: int = 5) -> bool:
        """Stop the thread, then the final save (retried a few times); True when it was written."""
        self._stop.set()
        self._thread.join(timeout=5)
        for i in range(attempts):
            if self.flush():
                return True
            self._stop.wait(RETRY_S[min(i, len(RETRY_S) - 1)])
        log.error("final state save to %s failed: %s", self.path, self.last_error)
        return False
