"""The reading phase of ``ecs_sync``: everything it needs from one ECS endpoint, no database.

Why a separate phase: reads are slow (network) and parallel, writes are fast and must stay on one
thread (SQLite). One ``ECSClient`` per endpoint means one login per run; its pool of
``concurrency`` connections is shared by a bounded thread pool.

Request budget per allocation (each allocation has its own namespace): one bulk bucket-billing
POST for the namespace's buckets, plus its quota from the namespace *listing* when ECS includes
quotas there (one page per 100 namespaces); when the listing lacks quotas, one quota GET per
namespace. A read that fails is recorded as an error for that namespace/bucket only; it never
becomes a zero.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .. import attributes
from ..ecs import Capacity, ECSBadRequest, ECSClient, ECSError, ECSNotFound, Quota

logger = logging.getLogger(__name__)
LOG = {"category": attributes.LOG_CATEGORY}

#: buckets per bulk billing request (ECS takes a list; keep bodies reasonable)
BULK_BILLING_CHUNK = 100
#: namespace listing page size (ECS's maximum is undocumented; python-ecsclient uses 100)
LISTING_PAGE_SIZE = 100


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
    #: every namespace the listing named (allocated_tb sums all of them); None when the listing failed
    listed: set[str] | None = None
    listing_error: str | None = None
    cluster_id: str = ""  # the local VDC id; "" when this ECS does not say
    requests: int = 0
    seconds: float = 0.0


def describe_error(exc: BaseException, what: str) -> str:
    """A message an admin can act on, never a stack trace."""
    if isinstance(exc, ECSNotFound):
        return f"{what} not found on ECS"
    if isinstance(exc, ECSError):
        return f"reading {what} failed: {exc}"
    return f"reading {what} failed: {type(exc).__name__}: {exc}"


class _UsageReader:
    """Bulk bucket billing, falling back to namespace billing when this ECS lacks the bulk call."""

    def __init__(self, client: ECSClient, reading: EndpointReading) -> None:
        self.client = client
        self.reading = reading
        self.bulk_supported = True
        self._lock = threading.Lock()

    def read(self, namespace: str, buckets: Collection[str]) -> None:
        wanted = sorted(set(buckets))
        try:
            found = self._bulk(namespace, wanted)
        except Exception as exc:
            message = describe_error(exc, f"usage of namespace {namespace!r}")
            for bucket in wanted:
                self._error(namespace, bucket, message)
            return
        for bucket in wanted:
            size = found.get(bucket)
            if size is None:  # missing from the bulk answer: ask for it alone (ECS practice)
                size = self._single(namespace, bucket)
            if size is not None:
                self.reading.usages[(namespace, bucket)] = size

    def _bulk(self, namespace: str, buckets: list[str]) -> dict[str, int]:
        if self.bulk_supported:
            try:
                sizes: dict[str, int] = {}
                for start in range(0, len(buckets), BULK_BILLING_CHUNK):
                    chunk = buckets[start:start + BULK_BILLING_CHUNK]
                    for name, usage in self.client.get_bucket_usages(namespace, chunk).items():
                        sizes[name] = int(usage.size_bytes)
                return sizes
            except ECSBadRequest as exc:  # pre-3.2 ECS: no bulk bucket billing
                if exc.http_status not in (404, 405, 415, 501):
                    raise
                with self._lock:
                    self.bulk_supported = False
                logger.info("ECS %s has no bulk bucket billing; using namespace billing", self.reading.base_url,
                            extra=LOG)
        usage = self.client.get_namespace_usage(namespace, include_buckets=True)
        return {name: int(b.size_bytes) for name, b in usage.buckets.items() if name in set(buckets)}

    def _single(self, namespace: str, bucket: str) -> int | None:
        try:
            return int(self.client.get_bucket_usage(namespace, bucket).size_bytes)
        except Exception as exc:
            self._error(namespace, bucket, describe_error(exc, f"bucket {bucket!r}"))
            return None

    def _error(self, namespace: str, bucket: str, message: str) -> None:
        self.reading.usage_errors[(namespace, bucket)] = message
        logger.warning("ECS %s: %s", self.reading.base_url, message, extra=LOG)


def _get_quota(client: ECSClient, reading: EndpointReading, namespace: str) -> None:
    try:
        reading.quotas[namespace] = client.get_namespace_quota(namespace)
    except Exception as exc:
        message = describe_error(exc, f"namespace {namespace!r}")
        reading.quota_errors[namespace] = message
        logger.warning("ECS %s: %s", reading.base_url, message, extra=LOG)


def _read_capacity(client: ECSClient, reading: EndpointReading) -> None:
    try:
        reading.capacity = client.get_capacity()
    except Exception as exc:
        reading.capacity_error = describe_error(exc, "cluster capacity")
        logger.warning("ECS %s: %s", reading.base_url, reading.capacity_error, extra=LOG)


def _read_quotas(client: ECSClient, reading: EndpointReading, pool: ThreadPoolExecutor,
                 namespaces: Collection[str]) -> list[Future]:
    """Runs in a worker: the whole listing (``allocated_tb`` needs every namespace's quota), then
    per-namespace GETs for what it did not answer (older ECS lists only id and name)."""
    try:
        listed = {ns.name: ns.quota for ns in client.list_namespaces(page_size=LISTING_PAGE_SIZE)}
        reading.listed = set(listed)
        found = {name: quota for name, quota in listed.items() if quota is not None}
        remaining = (set(listed) - set(found)) | (set(namespaces) - set(listed))
        reading.quota_source = "listing" if found or not listed else "per-namespace"
    except Exception as exc:
        reading.listing_error = describe_error(exc, "the namespace listing")
        logger.info("ECS %s: namespace listing failed (%s); reading quotas one by one", reading.base_url, exc,
                    extra=LOG)
        found, remaining = {}, set(namespaces)
        reading.quota_source = "per-namespace"
    reading.quotas.update(found)
    return [pool.submit(_get_quota, client, reading, ns) for ns in sorted(remaining)]


def _read_cluster(client: ECSClient, reading: EndpointReading) -> None:
    from .cluster import cluster_identity

    try:
        reading.cluster_id = cluster_identity(client)
    except Exception as exc:
        reading.error = describe_error(exc, "the cluster identity (local VDC)")


def read_endpoint(base_url: str, wanted: Mapping[str, Collection[str]], *,
                  client_factory: Callable[[], ECSClient], concurrency: int) -> EndpointReading:
    """Read capacity, the quotas of ``wanted``'s namespaces and the usage of its buckets.

    ``wanted`` maps namespace → bucket names. Never raises: failures land in the reading.
    """
    import time

    started = time.monotonic()
    reading = EndpointReading(base_url)
    client = client_factory()
    try:
        client.login()  # once, up front: bad credentials fail the endpoint once, not per allocation
    except Exception as exc:
        reading.error = describe_error(exc, f"login to {base_url}")
        logger.error("ECS %s: %s", base_url, reading.error, extra=LOG)
        client.close()
        reading.requests = client.request_count
        return reading
    _read_cluster(client, reading)
    if reading.error is not None:
        client.close()
        reading.requests = client.request_count
        return reading
    try:
        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="ecs-sync") as pool:
            usage = _UsageReader(client, reading)
            futures: list[Future] = [pool.submit(_read_capacity, client, reading)]
            quota_job = pool.submit(_read_quotas, client, reading, pool, list(wanted))
            futures.extend(pool.submit(usage.read, ns, buckets) for ns, buckets in wanted.items())
            futures.extend(quota_job.result())
            for future in futures:
                future.result()
    finally:
        client.close()
        reading.requests = client.request_count
        reading.seconds = time.monotonic() - started
    return reading
