"""A growing set of futures on one bounded pool: work items may queue more work.

Why: a usage batch that learns its ECS lacks the bulk call re-queues its namespaces one by one,
so they still run ``ECS_SYNC_CONCURRENCY`` wide; ``wait`` returns once nothing is left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


class TaskSet:
    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self._pending: list[Future] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., object], *args: object) -> None:
        future = self.pool.submit(fn, *args)
        with self._lock:
            self._pending.append(future)

    def wait(self) -> None:
        """Until every submitted item, and every item they submitted, has finished; re-raises the first error."""
        while True:
            with self._lock:
                if not self._pending:
                    return
                future = self._pending.pop(0)
            future.result()
