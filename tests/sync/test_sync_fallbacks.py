"""The billing fallback chain and the circuit breaker, against an in-memory client: every answer that
means "no such call" moves the endpoint on once; other refusals do not; an unresponsive endpoint
stops being asked. Counts, not times."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from coldfront_ecs_plugin.ecs import (
    BucketUsage,
    ECSBadRequest,
    ECSNotFound,
    ECSUnavailable,
    Namespace,
    NamespaceUsage,
    Quota,
)
from coldfront_ecs_plugin.services.sync_breaker import SKIPPED_PREFIX, Breaker, is_unresponsive
from coldfront_ecs_plugin.services.sync_read import read_endpoint

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


def missing(status: int, code: int | None = None) -> Exception:
    kind = ECSNotFound if status == 404 else ECSBadRequest
    return kind("no such call", http_status=status, code=code)


class FakeClient:
    """Namespaces ns0..nsN-1 with one bucket each; ``absent`` names billing forms this ECS lacks."""

    FORMS = ("bulk_ns", "bulk_bucket", "ns", "bucket")

    def __init__(self, n: int, absent: dict[str, Exception] | None = None, hang: bool = False) -> None:
        self.names = [f"ns{i}" for i in range(n)]
        self.absent = absent or {}
        self.hang = hang
        self.calls: Counter[str] = Counter()
        self.request_count = 0
        self._lock = threading.Lock()

    def _call(self, form: str) -> None:
        with self._lock:
            self.calls[form] += 1
            self.request_count += 1
        if self.hang and form not in ("login", "vdc"):
            raise ECSUnavailable("ECS at x unavailable after 4 attempt(s): no answer within 0.3s")
        if form in self.absent:
            raise self.absent[form]

    # session
    def login(self) -> None:
        self._call("login")

    def close(self) -> None:
        self.calls["logout"] += 1

    @contextlib.contextmanager
    def deadline(self, seconds: float):
        yield seconds

    def local_vdc(self):
        self._call("vdc")
        from coldfront_ecs_plugin.ecs import VDC

        return VDC("vdc-id", "vdc1")

    def get_capacity(self):
        self._call("capacity")
        from coldfront_ecs_plugin.ecs import Capacity

        return Capacity(100.0, 50.0)

    def list_namespaces(self, *, page_size: int):
        self._call("listing")
        return [Namespace(name, quota=Quota(1024, 900)) for name in self.names]

    def get_namespace_quota(self, name: str) -> Quota:
        self._call("quota")
        return Quota(1024, 900)

    # billing
    def _bucket(self, ns: str) -> BucketUsage:
        return BucketUsage(ns, f"{ns}-b", 4096, 1, T0, T0 - timedelta(minutes=int(ns[2:]) % 5))

    def get_namespace_usages(self, names, include_buckets=True, *, batch_size=100):
        self._call("bulk_ns")
        return {ns: NamespaceUsage(ns, 4096, 1, {f"{ns}-b": self._bucket(ns)}) for ns in names}

    def get_bucket_usages(self, ns, buckets):
        self._call("bulk_bucket")
        return {f"{ns}-b": self._bucket(ns)}

    def get_namespace_usage(self, ns, *, include_buckets=True):
        self._call("ns")
        return NamespaceUsage(ns, 4096, 1, {f"{ns}-b": self._bucket(ns)})

    def get_bucket_usage(self, ns, bucket):
        self._call("bucket")
        return self._bucket(ns)


def read(client: FakeClient, *, breaker_failures: int = 3, concurrency: int = 4):
    wanted = {ns: {f"{ns}-b"} for ns in client.names}
    return read_endpoint(
        "https://ecs.example.org:4443",
        wanted,
        client_factory=lambda: client,
        concurrency=concurrency,
        breaker_failures=breaker_failures,
    )


@pytest.mark.parametrize(
    "refusal",
    [missing(404, 2000), missing(404), missing(405), missing(415), missing(501)],
    ids=["404-2000", "404-no-body", "405", "415", "501"],
)
def test_each_no_such_call_answer_falls_back_once_per_run(refusal):
    client = FakeClient(250, absent={"bulk_ns": refusal})

    reading = read(client)

    assert len(reading.usages) == 250 and not reading.usage_errors
    assert client.calls["bulk_ns"] == 1  # one probe, never repeated by the other batches
    assert client.calls["bulk_bucket"] == 250 and client.calls["ns"] == 0
    assert reading.usage_source == "bulk bucket billing"
    assert len(reading.fallbacks) == 1 and "has no bulk namespace billing" in reading.fallbacks[0]


def test_the_whole_chain_down_to_bucket_billing():
    client = FakeClient(30, absent={"bulk_ns": missing(404, 2000), "bulk_bucket": missing(405), "ns": missing(501)})

    reading = read(client)

    assert len(reading.usages) == 30 and not reading.usage_errors
    assert [client.calls[f] for f in FakeClient.FORMS] == [1, 1, 1, 30]
    assert reading.usage_source == "bucket billing" and len(reading.fallbacks) == 3


def test_bulk_namespace_billing_is_one_request_per_100_namespaces():
    client = FakeClient(250)
    reading = read(client)
    assert client.calls["bulk_ns"] == 3 and client.calls["bulk_bucket"] == client.calls["ns"] == 0
    assert reading.usage_source == "bulk namespace billing" and reading.fallbacks == []
    assert reading.usage_uptodate_till == T0 - timedelta(minutes=4)  # the oldest sample


def test_a_refusal_that_is_not_a_missing_call_does_not_fall_back():
    client = FakeClient(5, absent={"bulk_ns": ECSBadRequest("bad", http_status=400, code=1008)})
    reading = read(client)
    assert reading.fallbacks == [] and reading.usage_source == "bulk namespace billing"
    assert client.calls["bulk_bucket"] == 5 and len(reading.usages) == 5  # that batch read one by one instead


def test_breaker_stops_reads_of_an_unresponsive_endpoint():
    client = FakeClient(1000, hang=True)

    reading = read(client, breaker_failures=3, concurrency=4)

    attempted = sum(n for form, n in client.calls.items() if form not in ("login", "vdc", "logout"))
    assert attempted <= 3 + 4  # the limit, plus what was already in flight when it opened
    assert reading.unresponsive and reading.unresponsive.startswith(SKIPPED_PREFIX)
    assert reading.skipped_calls > 0 and not reading.usages
    assert all(m.startswith(SKIPPED_PREFIX) for m in reading.usage_errors.values())
    assert client.calls["logout"] == 1


def test_breaker_counts_only_consecutive_unresponsive_failures():
    breaker = Breaker(2)
    timeout = ECSUnavailable("ECS at x unavailable after 4 attempt(s): connect timeout after 0.3s")
    overloaded = ECSUnavailable("ECS at x unavailable after 4 attempt(s): ECS answered HTTP 503")
    assert is_unresponsive(timeout) and not is_unresponsive(overloaded)
    for exc in (timeout, overloaded, timeout):  # a 503 proves ECS answers: the count restarts
        with pytest.raises(ECSUnavailable):
            breaker.call(_raise, exc)
    assert not breaker.open
    with pytest.raises(ECSUnavailable):
        breaker.call(_raise, timeout)
    assert breaker.open
    with pytest.raises(ECSUnavailable, match="endpoint unresponsive"):
        breaker.call(lambda: 1)


def _raise(exc: Exception) -> None:
    raise exc
