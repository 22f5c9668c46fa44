"""A per-endpoint circuit breaker for ``ecs_sync``'s reads.

Why: every read of a hung ECS costs a full per-call deadline ((retries + 1) x timeout); 1,000
namespaces would take hours. After ``limit`` consecutive timeouts or connection failures the
endpoint is called unresponsive and the rest of its reads fail at once, reported as skipped.
Other errors (a 500, a not-found) prove ECS answers, so they reset the count like a success.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from ..ecs import ECSUnavailable

T = TypeVar("T")

#: how the client words a call that got no answer at all (see ecs.sender)
UNRESPONSIVE_MARKERS = (
    "no answer within",
    "connect timeout",
    "connection error",
    "deadline exceeded",
    "deadline passed",
)
SKIPPED_PREFIX = "skipped: endpoint unresponsive"


class EndpointUnresponsive(ECSUnavailable):
    """Raised instead of calling ECS once the breaker is open."""


def is_unresponsive(exc: BaseException) -> bool:
    """A timeout or connection failure after the client's retries (not an HTTP answer)."""
    if isinstance(exc, EndpointUnresponsive):
        return True
    if not isinstance(exc, ECSUnavailable) or exc.http_status is not None:
        return False
    text = str(exc)
    return "ECS answered HTTP" not in text and any(marker in text for marker in UNRESPONSIVE_MARKERS)


class Breaker:
    """Counts consecutive unresponsive failures of one endpoint; thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self.consecutive = 0
        self.reason: str | None = None  # set once open
        self.skipped = 0
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return self.reason is not None

    def call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``fn(*args, **kwargs)``, or EndpointUnresponsive at once when the breaker is open."""
        if self.reason is not None:
            with self._lock:
                self.skipped += 1
            raise EndpointUnresponsive(self.reason)
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            self._record(exc)
            raise
        with self._lock:
            self.consecutive = 0
        return result

    def _record(self, exc: BaseException) -> None:
        with self._lock:
            if not is_unresponsive(exc):
                self.consecutive = 0
                return
            self.consecutive += 1
            if self.consecutive >= self.limit and self.reason is None:
                self.reason = (
                    f"{SKIPPED_PREFIX} ({self.consecutive} consecutive timeouts or connection "
                    f"failures, the last: {exc}); its remaining reads were not attempted "
                    "(ECS_BREAKER_FAILURES)"
                )
