"""The reading phase of ``ecs_sync``: everything it needs from one ECS endpoint, no database.

Why a separate phase: reads are slow (network) and parallel, writes are fast and must stay on one
thread (SQLite). One ``ECSClient`` per endpoint means one login per run; its pool of
``concurrency`` connections is shared by a bounded thread pool.

Cost of a run, per endpoint (see the README, "Performance"): 2 (login, logout) + 1 (local VDC) +
1 (capacity) + listing pages (1,000 namespaces each) + quota reads (none when the listing carries
quotas; else one per namespace, as ``allocated_tb`` sums every namespace) + billing calls (one per
100 wanted namespaces with bulk namespace billing; see ``sync_usage`` for the fallbacks). A read
that fails is recorded as an error for that namespace/bucket only; it never becomes a zero. A
hung endpoint is cut short by ``sync_breaker``; ``deadline_s`` bounds the whole reading.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .. import logs
from ..ecs import Capacity, ECSBadRequest, ECSClient, ECSError, ECSNotFound, Quota
from .sync_breaker import Breaker, EndpointUnresponsive
from .sync_tasks import TaskSet
from .sync_usage import MODE_NAMES, UsageReader, oldest

logger = logs.get_logger(__name__)

#: namespace listing page size; an ECS that refuses it is asked again with ``SMALL_PAGE``
LISTING_PAGE_SIZE = 1000
SMALL_PAGE = 100

Progress = Callable[[str, int, int, float], None]  # (endpoint, namespaces read, of, seconds)


@dataclass
class EndpointReading:
    """What one endpoint said; values absent from both maps of a kind were not asked for."""

    base_url: str
    error: str | None = None  # the whole endpoint failed (login, credentials)
    #: when reading began (before the first request): database rows changed after it are newer than the reading
    started: datetime = field(default_factory=timezone.now)
    capacity: Capacity | None = None
    capacity_error: str | None = None
    quotas: dict[str, Quota] = field(default_factory=dict)
    quota_errors: dict[str, str] = field(default_factory=dict)
    usages: dict[tuple[str, str], int] = field(default_factory=dict)  # (namespace, bucket) -> bytes
    usage_errors: dict[tuple[str, str], str] = field(default_factory=dict)
    quota_source: str = ""
    usage_source: str = ""
    #: "this ECS has no <call>" notes, one per fallback (once per endpoint per run)
    fallbacks: list[str] = field(default_factory=list)
    #: the oldest ``uptodate_till`` (else ``sample_time``) of the usage read: how far billing may lag
    usage_uptodate_till: datetime | None = None
    #: set when the circuit breaker opened: why the remaining reads were skipped
    unresponsive: str | None = None
    skipped_calls: int = 0
    #: every namespace the listing named (allocated_tb sums all of them); None when the listing failed
    listed: set[str] | None = None
    listing_error: str | None = None
    cluster_id: str = ""  # the local VDC id; "" when this ECS does not say
    requests: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_usage(self, namespace: str, bucket: str, size: int, uptodate_till: datetime | None) -> None:
        with self._lock:
            self.usages[(namespace, bucket)] = size
            self.usage_uptodate_till = oldest(self.usage_uptodate_till, uptodate_till)


def describe_error(exc: BaseException, what: str) -> str:
    """A message an admin can act on, never a stack trace."""
    if isinstance(exc, EndpointUnresponsive):
        return str(exc)
    if isinstance(exc, ECSNotFound):
        return f"{what} not found on ECS"
    if isinstance(exc, ECSError):
        return f"reading {what} failed: {exc}"
    return f"reading {what} failed: {type(exc).__name__}: {exc}"


class _Reads:
    """The quota and capacity reads of one endpoint, each through the breaker."""

    def __init__(self, client: ECSClient, reading: EndpointReading, breaker: Breaker, tasks: TaskSet) -> None:
        self.client, self.reading, self.breaker, self.tasks = client, reading, breaker, tasks

    def capacity(self) -> None:
        try:
            self.reading.capacity = self.breaker.call(self.client.get_capacity)
        except Exception as exc:
            self.reading.capacity_error = describe_error(exc, "cluster capacity")
            logger.warning("ECS %s: %s", self.reading.base_url, self.reading.capacity_error)

    def quota(self, namespace: str) -> None:
        try:
            self.reading.quotas[namespace] = self.breaker.call(self.client.get_namespace_quota, namespace)
        except Exception as exc:
            message = describe_error(exc, f"namespace {namespace!r}")
            self.reading.quota_errors[namespace] = message
            logger.warning("ECS %s: %s", self.reading.base_url, message)

    def _listing(self) -> dict[str, Quota | None]:
        """Every namespace and its quota when the listing carries it; smaller pages if ECS refuses big ones."""
        try:
            return {ns.name: ns.quota for ns in self.client.list_namespaces(page_size=LISTING_PAGE_SIZE)}
        except ECSBadRequest:
            return {ns.name: ns.quota for ns in self.client.list_namespaces(page_size=SMALL_PAGE)}

    def quotas(self, namespaces: Collection[str]) -> None:
        """The listing (``allocated_tb`` needs every namespace's quota, so it is always read); then a quota
        GET for each namespace it did not answer: all of them on an ECS whose listing carries no quotas,
        and wanted namespaces it did not name."""
        reading = self.reading
        try:
            listed = self.breaker.call(self._listing)
            reading.listed = set(listed)
            found = {name: quota for name, quota in listed.items() if quota is not None}
            remaining = (set(listed) - set(found)) | (set(namespaces) - set(listed))
            reading.quota_source = "listing" if found or not listed else "per-namespace"
        except Exception as exc:
            reading.listing_error = describe_error(exc, "the namespace listing")
            logger.info("ECS %s: namespace listing failed (%s); reading quotas one by one", reading.base_url, exc)
            found, remaining = {}, set(namespaces)
            reading.quota_source = "per-namespace"
        reading.quotas.update(found)
        for ns in sorted(remaining):
            self.tasks.submit(self.quota, ns)


def _read_cluster(client: ECSClient, reading: EndpointReading, breaker: Breaker) -> None:
    from .cluster import cluster_identity

    try:
        reading.cluster_id = breaker.call(cluster_identity, client)
    except Exception as exc:
        reading.error = describe_error(exc, "the cluster identity (local VDC)")


def _login(client: ECSClient, reading: EndpointReading) -> bool:
    """Once, up front: bad credentials fail the endpoint once, not per allocation."""
    try:
        client.login()
    except Exception as exc:
        reading.error = describe_error(exc, f"login to {reading.base_url}")
        logger.error("ECS %s: %s", reading.base_url, reading.error)
        return False
    return True


def _counter(base_url: str, total: int, started: float, progress: Progress | None) -> Callable[[], None]:
    """A thread-safe "one more namespace read" callback feeding ``progress``."""
    lock, done = threading.Lock(), [0]

    def one_more() -> None:
        with lock:
            done[0] += 1
            count = done[0]
        if progress is not None:
            progress(base_url, count, total, time.monotonic() - started)

    return one_more


def read_endpoint(
    base_url: str,
    wanted: Mapping[str, Collection[str]],
    *,
    client_factory: Callable[[], ECSClient],
    concurrency: int,
    breaker_failures: int = 3,
    deadline_s: float | None = None,
    progress: Progress | None = None,
) -> EndpointReading:
    """Read capacity, the quotas of ``wanted``'s namespaces and the usage of its buckets.

    ``wanted`` maps namespace → bucket names; ``deadline_s`` bounds every request of the reading
    (logout included). Never raises: failures land in the reading.
    """
    started = time.monotonic()
    reading = EndpointReading(base_url)
    breaker = Breaker(breaker_failures)
    client = client_factory()
    try:
        with client.deadline(deadline_s if deadline_s is not None else 10**9):
            try:
                if _login(client, reading):
                    _read_cluster(client, reading, breaker)
                if reading.error is None:
                    _read_all(
                        client,
                        reading,
                        breaker,
                        wanted,
                        concurrency,
                        _counter(base_url, len(wanted), started, progress),
                    )
            finally:
                client.close()
    finally:
        reading.requests = client.request_count
        reading.seconds = time.monotonic() - started
        reading.unresponsive, reading.skipped_calls = breaker.reason, breaker.skipped
    return reading


def _read_all(
    client: ECSClient,
    reading: EndpointReading,
    breaker: Breaker,
    wanted: Mapping[str, Collection[str]],
    concurrency: int,
    one_more: Callable[[], None],
) -> None:
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="ecs-sync") as pool:
        tasks = TaskSet(pool)
        reads = _Reads(client, reading, breaker, tasks)
        usage = UsageReader(client, reading, breaker, tasks, one_more)
        tasks.submit(reads.capacity)
        tasks.submit(reads.quotas, list(wanted))
        usage.start({ns: set(buckets) for ns, buckets in wanted.items()})
        tasks.wait()
        reading.usage_source = MODE_NAMES[usage.mode]
