"""Usage (billing) reads for one endpoint, choosing the cheapest call this ECS has.

Why a chain: the cheapest form, bulk namespace billing (100 namespaces per request, with their
buckets), is documented for ECS 4.1 and absent from older releases; bulk bucket billing arrived
in 3.2; namespace and bucket billing exist everywhere. Each form is tried once per endpoint per
run: the first call of a form is a probe, made by one thread while the others wait, and an answer
that means "no such call" (``is_missing_call``) moves the endpoint to the next form for the rest
of the run, which the report says. A read that fails is an error for its buckets, never a zero.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TypeVar

from .. import logs
from ..ecs import BucketUsage, ECSClient, NamespaceUsage, is_missing_call
from .sync_breaker import Breaker
from .sync_tasks import TaskSet

logger = logs.get_logger(__name__)
T = TypeVar("T")

BULK_NAMESPACE, BULK_BUCKET, NAMESPACE, BUCKET = range(4)
MODE_NAMES = ("bulk namespace billing", "bulk bucket billing", "namespace billing", "bucket billing")
#: namespaces per bulk namespace billing request
NAMESPACE_BATCH = 100


class NoUsageCall(Exception):
    """This ECS answered "no such call" to every billing form."""


class UsageReader:
    """Fills ``reading.usages``/``usage_errors`` (see ``sync_read.EndpointReading``) for ``wanted``."""

    def __init__(
        self,
        client: ECSClient,
        reading,
        breaker: Breaker,
        tasks: TaskSet,
        on_namespace_done: Callable[[], None] = lambda: None,
    ) -> None:
        self.client = client
        self.reading = reading
        self.breaker = breaker
        self.tasks = tasks
        self.done = on_namespace_done
        self.mode = BULK_NAMESPACE
        self._confirmed: set[int] = set()
        self._probe = threading.Lock()
        self._lock = threading.Lock()

    # -- scheduling ------------------------------------------------------------------------------
    def start(self, wanted: dict[str, set[str]]) -> None:
        """Queue the work: batches of namespaces while the bulk form may exist."""
        names = sorted(wanted)
        for start in range(0, len(names), NAMESPACE_BATCH):
            batch = {ns: wanted[ns] for ns in names[start : start + NAMESPACE_BATCH]}
            self.tasks.submit(self._read_batch, batch)

    def _read_batch(self, batch: dict[str, set[str]]) -> None:
        if self.mode != BULK_NAMESPACE:
            for ns, buckets in batch.items():
                self.tasks.submit(self._read_namespace, ns, buckets)
            return
        try:
            found = self._settled(
                BULK_NAMESPACE,
                lambda: self.breaker.call(
                    self.client.get_namespace_usages, list(batch), include_buckets=True, batch_size=NAMESPACE_BATCH
                ),
            )
        except _Moved:
            self._read_batch(batch)
            return
        except Exception as exc:  # the call exists but failed: read these namespaces one by one
            logger.info(
                "ECS %s: bulk namespace billing failed (%s); reading %d namespace(s) one by one",
                self.reading.base_url,
                exc,
                len(batch),
            )
            for ns, buckets in batch.items():
                self.tasks.submit(self._read_namespace, ns, buckets)
            return
        for ns, buckets in batch.items():
            usage = found.get(ns)
            if usage is None:  # ECS left it out (usually: no such namespace): ask for it alone to say why
                self.tasks.submit(self._read_namespace, ns, buckets)
            else:
                self._record_namespace(ns, buckets, usage)

    def _read_namespace(self, ns: str, buckets: set[str], floor: int = BULK_BUCKET) -> None:
        wanted = sorted(buckets)
        try:
            if max(self.mode, floor) == BUCKET:
                self._record_buckets(ns, wanted, {})
                return
            found = self._per_namespace(ns, wanted, floor)
        except _Moved:
            self._read_namespace(ns, buckets, floor)
            return
        except Exception as exc:
            self._fail(ns, wanted, exc, f"usage of namespace {ns!r}")
            return
        self._record_buckets(ns, wanted, found)

    def _per_namespace(self, ns: str, wanted: list[str], floor: int) -> dict[str, BucketUsage]:
        """One namespace's buckets in the endpoint's form, or in ``floor`` as a one-off (not probed) when
        the endpoint's form is a bulk one that left this namespace out or failed."""
        mode = max(self.mode, floor)
        probe = mode == self.mode
        if mode == BULK_BUCKET:

            def bulk() -> dict[str, BucketUsage]:
                return self.breaker.call(self.client.get_bucket_usages, ns, wanted)

            return self._settled(BULK_BUCKET, bulk) if probe else bulk()

        def read() -> NamespaceUsage:
            return self.breaker.call(self.client.get_namespace_usage, ns, include_buckets=True)

        usage = self._settled(NAMESPACE, read) if probe else read()
        return {name: self._dated(b, usage) for name, b in usage.buckets.items()}

    # -- the once-per-run fallback ---------------------------------------------------------------
    def _settled(self, mode: int, call: Callable[[], T]) -> T:
        """Run ``call`` in ``mode``; the first call of a mode runs alone and decides whether it exists."""
        if mode in self._confirmed:  # once confirmed, a form is never abandoned within the run
            return call()
        with self._probe:
            if self.mode != mode:
                raise _Moved
            if mode in self._confirmed:
                return call()
            try:
                result = call()
            except Exception as exc:
                if is_missing_call(exc):
                    self._move_from(mode, exc)
                    raise _Moved from None
                if getattr(exc, "http_status", None) is not None:
                    self._confirmed.add(mode)  # ECS answered this call with an error of its own: it exists
                raise
            self._confirmed.add(mode)
            return result

    def _move_from(self, mode: int, exc: BaseException) -> None:
        with self._lock:
            if self.mode != mode:
                return
            self.mode = mode + 1
        note = (
            f"ECS at {self.reading.base_url} has no {MODE_NAMES[mode]} ({_status(exc)}); usage read with "
            f"{MODE_NAMES[mode + 1]}"
        )
        self.reading.fallbacks.append(note)
        logger.info(note)

    # -- results ---------------------------------------------------------------------------------
    def _record_namespace(self, ns: str, buckets: set[str], usage: NamespaceUsage) -> None:
        found = {name: self._dated(b, usage) for name, b in usage.buckets.items()}
        self._record_buckets(ns, sorted(buckets), found)

    def _record_buckets(self, ns: str, wanted: list[str], found: dict[str, BucketUsage]) -> None:
        """Store what was found; a bucket missing from a bulk answer is asked alone (ECS practice)."""
        for bucket in wanted:
            usage = found.get(bucket)
            if usage is None:
                try:
                    usage = self.breaker.call(self.client.get_bucket_usage, ns, bucket)
                except Exception as exc:
                    self._fail(ns, [bucket], exc, f"bucket {bucket!r}", finished=False)
                    continue
            self.reading.record_usage(ns, bucket, int(usage.size_bytes), usage.uptodate_till or usage.sample_time)
        self.done()

    @staticmethod
    def _dated(bucket: BucketUsage, usage: NamespaceUsage) -> BucketUsage:
        if bucket.uptodate_till or bucket.sample_time or not (usage.uptodate_till or usage.sample_time):
            return bucket
        return BucketUsage(
            bucket.namespace, bucket.bucket, bucket.size_bytes, bucket.objects, usage.sample_time, usage.uptodate_till
        )

    def _fail(self, ns: str, buckets: Collection[str], exc: BaseException, what: str, *, finished: bool = True) -> None:
        from .sync_read import describe_error

        message = describe_error(exc, what)
        for bucket in buckets:
            self.reading.usage_errors[(ns, bucket)] = message
        logger.warning("ECS %s: %s", self.reading.base_url, message)
        if finished:
            self.done()


class _Moved(Exception):
    """The endpoint moved to the next billing form while this call waited or probed: redo it."""


def _status(exc: BaseException) -> str:
    status, code = getattr(exc, "http_status", None), getattr(exc, "code", None)
    if status is None:
        return "no such call"
    return f"HTTP {status}" + (f", ECS code {code}" if code is not None else "")


def oldest(current: datetime | None, new: datetime | None) -> datetime | None:
    if new is None:
        return current
    return new if current is None or new < current else current
