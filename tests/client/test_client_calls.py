"""The calls added for issue 9 against the loopback stub: local VDC, bucket lock, bulk namespace usage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from client.ecs_stub import Reply, Seen, Stub, client, running_stub
from coldfront_ecs_plugin.ecs import (
    VDC,
    ECSBadRequest,
    ECSMalformedResponse,
    ECSNotFound,
    NamespaceUsage,
    is_missing_call,
)

BULK = "POST /object/billing/namespace/info"
T0 = "2026-07-26T10:00:00Z"
T1 = "2026-07-26T10:05:00Z"


@pytest.fixture
def stub() -> Iterator[Stub]:
    with running_stub() as state:
        yield state


# -- local VDC -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"vdcId": "urn:storageos:VirtualDataCenterData:3d5e", "vdcName": "vdc1", "interVdcEndPoints": "10.0.0.1"},
        {"id": "urn:storageos:VirtualDataCenterData:3d5e", "name": "vdc1", "link": {"rel": "self"}},
        {"vdc": {"vdcId": "urn:storageos:VirtualDataCenterData:3d5e", "vdcName": "vdc1"}},
    ],
)
def test_local_vdc(stub: Stub, body: dict[str, Any]) -> None:
    stub.on("GET /object/vdcs/vdc/local", (200, body))
    with client(stub) as c:
        assert c.local_vdc() == VDC(id="urn:storageos:VirtualDataCenterData:3d5e", name="vdc1")


def test_local_vdc_without_id_is_malformed(stub: Stub) -> None:
    stub.on("GET /object/vdcs/vdc/local", (200, {"vdcName": "vdc1"}))
    with client(stub) as c, pytest.raises(ECSMalformedResponse):
        c.local_vdc()


# -- bucket lock -----------------------------------------------------------------------------
def test_set_bucket_lock_wire(stub: Stub) -> None:
    stub.on("PUT /object/bucket/b1/lock/true", (200, None))
    stub.on("PUT /object/bucket/b1/lock/false", (200, None))
    stub.on("GET /object/bucket/b1/lock", (200, {"bucket_name": "b1", "isLocked": "true"}))
    with client(stub) as c:
        c.set_bucket_lock("ns1", "b1", True)
        c.set_bucket_lock("ns1", "b1", False)
        assert c.get_bucket_lock("ns1", "b1") is True
        with pytest.raises(ECSBadRequest):
            c.set_bucket_lock("ns1", "b1", "yes")  # type: ignore[arg-type]
    for state in ("true", "false"):
        (put,) = stub.calls(f"PUT /object/bucket/b1/lock/{state}")
        assert put.query == {"namespace": ["ns1"]} and put.json() == {"namespace": "ns1"}
        assert put.headers["content-type"] == "application/json"


def test_set_bucket_lock_missing_bucket_and_retry(stub: Stub) -> None:
    answers = iter([(503, {"code": 6000}), (200, None)])
    stub.on("PUT /object/bucket/b1/lock/true", lambda _s: next(answers))
    stub.on("PUT /object/bucket/gone/lock/true", (400, {"code": 1004}))
    with client(stub) as c:
        c.set_bucket_lock("ns1", "b1", True)  # a PUT is idempotent: retried
        with pytest.raises(ECSNotFound):
            c.set_bucket_lock("ns1", "gone", True)
    assert len(stub.calls("PUT /object/bucket/b1/lock/true")) == 2


# -- bulk namespace usage --------------------------------------------------------------------
def _bucket(ns: str, name: str, kb: str) -> dict[str, Any]:
    return {
        "namespace": ns,
        "name": name,
        "total_size": kb,
        "total_size_unit": "KB",
        "total_objects": 1,
        "sample_time": T0,
        "uptodate_till": T1,
    }


def _ns(ns: str, buckets: list[str], marker: str = "", unit: str = "KB") -> dict[str, Any]:
    return {
        "namespace": ns,
        "total_size": str(len(buckets)),
        "total_size_unit": unit,
        "total_objects": len(buckets),
        "sample_time": T0,
        "uptodate_till": T1,
        "next_marker": marker,
        "bucket_billing_info": [_bucket(ns, b, "1") for b in buckets],
    }


def test_namespace_usages_bulk_with_pages(stub: Stub) -> None:
    def bulk(seen: Seen) -> Reply:
        return (
            200,
            {
                "namespace_billing_infos": [
                    _ns("ns1", ["b1"], marker="m1"),
                    _ns("ns2", ["c1", "c2"]),
                    _ns("stranger", []),
                ]
            },
        )

    def more(seen: Seen) -> Reply:
        marker = seen.query["marker"][0]
        return (200, _ns("ns1", ["b2"] if marker == "m1" else ["b3"], marker="m2" if marker == "m1" else ""))

    stub.on(BULK, bulk)
    stub.on("GET /object/billing/namespace/ns1/info", more)
    with client(stub) as c:
        usages = c.get_namespace_usages(["ns1", "ns2", "ns3", "ns1"])
    assert set(usages) == {"ns1", "ns2"}  # ns3 absent from ECS's answer; strangers dropped
    assert set(usages["ns1"].buckets) == {"b1", "b2", "b3"} and set(usages["ns2"].buckets) == {"c1", "c2"}
    ns2 = usages["ns2"]
    assert isinstance(ns2, NamespaceUsage) and ns2.size_bytes == 2048 and ns2.objects == 2
    assert ns2.sample_time == datetime(2026, 7, 26, 10, 0, tzinfo=timezone.utc)
    assert ns2.uptodate_till == datetime(2026, 7, 26, 10, 5, tzinfo=timezone.utc)
    assert ns2.buckets["c1"].uptodate_till == ns2.uptodate_till
    (post,) = stub.calls(BULK)
    assert post.json() == {"id": ["ns1", "ns2", "ns3"]}
    assert post.query == {"sizeunit": ["KB"], "include_bucket_detail": ["true"]}
    pages = stub.calls("GET /object/billing/namespace/ns1/info")
    assert [p.query["marker"] for p in pages] == [["m1"], ["m2"]]
    assert all(p.query["include_bucket_detail"] == ["true"] for p in pages)


def test_namespace_usages_without_buckets_and_in_batches(stub: Stub) -> None:
    def bulk(seen: Seen) -> Reply:
        return (200, {"namespace_billing_infos": [_ns(ns, [], marker="m") for ns in seen.json()["id"]]})

    stub.on(BULK, bulk)
    names = [f"ns{i}" for i in range(7)]
    with client(stub) as c:
        usages = c.get_namespace_usages(names, include_buckets=False, batch_size=3)
        assert c.get_namespace_usages([]) == {}
    assert set(usages) == set(names)
    posts = stub.calls(BULK)
    assert [len(p.json()["id"]) for p in posts] == [3, 3, 1]
    assert all(p.query["include_bucket_detail"] == ["false"] for p in posts)
    assert not stub.calls("GET /object/billing/namespace/ns0/info")  # markers ignored without detail


def test_namespace_usages_refused_batch_is_halved(stub: Stub) -> None:
    def bulk(seen: Seen) -> Reply:
        ids = seen.json()["id"]
        if "gone" in ids:
            return (400, {"code": 1004, "details": "Unable to find entity gone"})
        return (200, {"namespace_billing_infos": [_ns(ns, []) for ns in ids]})

    stub.on(BULK, bulk)
    with client(stub) as c:
        usages = c.get_namespace_usages(["a", "b", "gone", "d"])
    assert set(usages) == {"a", "b", "d"}
    assert len(stub.calls(BULK)) == 5  # [a b gone d], [a b], [gone d], [gone], [d]


def test_namespace_usages_refusal_of_one_namespace_is_raised(stub: Stub) -> None:
    stub.on(BULK, (400, {"code": 1013, "description": "invalid"}))
    with client(stub) as c, pytest.raises(ECSBadRequest):
        c.get_namespace_usages(["a", "b", "c", "d"])
    assert [len(p.json()["id"]) for p in stub.calls(BULK)] == [4, 2, 1]  # halved down to one, then raised


@pytest.mark.parametrize("reply", [(404, {"code": 2000}), (405, None), (501, None)])
def test_namespace_usages_missing_call_is_raised_at_once(stub: Stub, reply: Reply) -> None:
    stub.on(BULK, reply)
    with client(stub) as c, pytest.raises(Exception) as info:
        c.get_namespace_usages(["a", "b", "c"])
    assert is_missing_call(info.value)
    assert len(stub.calls(BULK)) == 1


def test_namespace_usages_bad_arguments(stub: Stub) -> None:
    with client(stub) as c:
        with pytest.raises(ECSBadRequest):
            c.get_namespace_usages(["a"], batch_size=0)
        with pytest.raises(ECSBadRequest):
            c.get_namespace_usages([""])
    assert stub.seen == []


def test_namespace_usage_single_carries_times_and_units(stub: Stub) -> None:
    stub.on("GET /object/billing/namespace/ns1/info", (200, _ns("ns1", ["b1"], unit="KiB")))
    stub.on("GET /object/billing/buckets/ns1/b1/info", (200, {**_bucket("ns1", "b1", "1.5"), "total_size_unit": "MiB"}))
    with client(stub) as c:
        usage = c.get_namespace_usage("ns1")
        bucket = c.get_bucket_usage("ns1", "b1")
    assert usage.size_bytes == 1024 and usage.uptodate_till is not None
    assert bucket.size_bytes == 1536 * 1024 and bucket.sample_time is not None


def test_bulk_body_is_json(stub: Stub) -> None:
    stub.on(BULK, (200, {"namespace_billing_infos": []}))
    with client(stub) as c:
        assert c.get_namespace_usages(["a"]) == {}
    assert json.loads(stub.calls(BULK)[0].body) == {"id": ["a"]}
