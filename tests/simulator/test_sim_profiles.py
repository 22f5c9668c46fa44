"""What each --profile changes (ecs-3.8 default, ecs-3.1, objectscale-4.1), and bulk namespace billing."""

from __future__ import annotations

import hashlib

import pytest

from .conftest import raw_caller


def _fill(call, namespaces=("ns1", "ns2")) -> None:
    for ns in namespaces:
        assert call("POST", "/object/namespaces/namespace", {"namespace": ns})[0] == 200
        assert call("POST", "/object/bucket", {"name": f"{ns}-b", "namespace": ns})[0] == 200


def test_bulk_namespace_billing_on_the_default_profile(sim, ecs) -> None:
    _fill(ecs)
    sim.set_usage("ns1", "ns1-b", 10_000_000, 3)
    status, body = ecs(
        "POST",
        "/object/billing/namespace/info",
        {"id": ["ns1", "ghost", "ns2", "ns1"]},
        params={"include_bucket_detail": "true", "sizeunit": "KB"},
    )
    assert status == 200 and [i["namespace"] for i in body["namespace_billing_infos"]] == ["ns1", "ns2"]
    ns1 = body["namespace_billing_infos"][0]
    assert (ns1["total_size"], ns1["total_size_unit"], ns1["total_objects"]) == ("9765.625", "KB", 3)
    assert ns1["sample_time"] == ns1["uptodate_till"] and ns1["next_marker"] == "" and ns1["valid_namespace"] == "ns1"
    assert [b["name"] for b in ns1["bucket_billing_info"]] == ["ns1-b"]
    assert ns1["bucket_billing_info"][0]["total_size"] == "9765.625"
    wrapped = ecs("POST", "/object/billing/namespace/info", {"namespace_list": {"id": ["ns2"]}})[1]
    assert wrapped["namespace_billing_infos"][0]["bucket_billing_info"] == []  # no detail unless asked
    assert ecs("POST", "/object/billing/namespace/info")[0] == 415
    sim.faults(max_bulk_namespaces=1)
    status, body = ecs("POST", "/object/billing/namespace/info", {"id": ["ns1", "ns2"]})
    assert (status, body["code"]) == (400, 1014)
    sim.faults()


def test_bulk_namespace_billing_pages_buckets_per_namespace(ecs) -> None:
    assert ecs("POST", "/object/namespaces/namespace", {"namespace": "big"})[0] == 200
    for i in range(101):
        ecs("POST", "/object/bucket", {"name": f"b{i:03d}", "namespace": "big"})
    info = ecs("POST", "/object/billing/namespace/info", {"id": ["big"]}, params={"include_bucket_detail": "true"})[1][
        "namespace_billing_infos"
    ][0]
    assert len(info["bucket_billing_info"]) == 100 and info["next_marker"] == "b099"
    rest = ecs("GET", "/object/billing/namespace/big/info", params={"include_bucket_detail": "true", "marker": "b099"})[
        1
    ]
    assert [b["name"] for b in rest["bucket_billing_info"]] == ["b100"] and rest["next_marker"] == ""


@pytest.mark.parametrize("profile_sim", ["ecs-3.1"], indirect=True)
def test_ecs_31(profile_sim) -> None:
    profile_sim.reset()
    call, _session = raw_caller(profile_sim)
    _fill(call)
    items = call("GET", "/object/namespaces")[1]["namespace"]
    assert items[0] == {"id": "ns1", "name": "ns1", "link": {"rel": "self", "href": "/object/namespaces/namespace/ns1"}}
    assert call("GET", "/object/namespaces/namespace/ns1/quota")[0] == 200  # quotas one by one
    for path in ("/object/billing/buckets/ns1/info", "/object/billing/namespace/info"):
        status, body = call("POST", path, {"id": ["ns1"]})
        assert (status, body["code"]) == (404, 2000), path  # as any unknown path
    assert call("GET", "/object/billing/namespace/ns1/info", params={"sizeunit": "KB"})[0] == 200
    status, body = call("GET", "/object/billing/buckets/ns1/ns1-b/info", params={"sizeunit": "KiB"})
    assert (status, body["code"]) == (400, 1008)
    assert profile_sim.control("GET", "/_sim/state")["profile"] == "ecs-3.1"


@pytest.mark.parametrize("profile_sim", ["objectscale-4.1"], indirect=True)
def test_objectscale_41(profile_sim) -> None:
    profile_sim.reset()
    call, _session = raw_caller(profile_sim)
    _fill(call, ["ns1"])
    assert call("GET", "/object/namespaces")[1]["namespace"][0]["blockSize"] == -1  # quotas in the list
    profile_sim.set_usage("ns1", "ns1-b", 3 * 1024**3, 1)
    for unit, size in (("KiB", str(3 * 1024**2)), ("gib", "3"), ("BYTE", str(3 * 1024**3)), ("GB", "3")):
        body = call("GET", "/object/billing/buckets/ns1/ns1-b/info", params={"sizeunit": unit})[1]
        assert body["total_size"] == size and body["total_size_unit"].lower() == unit.lower(), unit
    bulk = call("POST", "/object/billing/namespace/info", {"id": ["ns1"]})[1]["namespace_billing_infos"]
    assert bulk[0]["valid_namespace"] == "true"  # as a live 4.3 cluster answers
    assert call("POST", "/object/bucket", {"name": "owned", "namespace": "ns1", "owner": "alice"})[0] == 200
    assert call("GET", "/object/bucket/owned/info", params={"namespace": "ns1"})[1]["owner"] == "alice"
    call("POST", "/object/users", {"user": "u1", "namespace": "ns1"})
    created = call("POST", "/object/user-secret-keys/u1", {"namespace": "ns1"})[1]
    assert created["secret_key_id"] == hashlib.sha256(created["secret_key"].encode()).hexdigest()
    keys = call("GET", "/object/user-secret-keys/u1/ns1")[1]
    assert keys["secret_key_1"] == "********" and keys["secret_key_1_exist"] is True
    assert keys["secret_key_1_id"] == created["secret_key_id"] and keys["secret_key_2_exist"] is False
    assert created["secret_key"] not in str(keys)
    assert (
        call(
            "POST",
            "/object/user-secret-keys/u1/deactivate",
            {"namespace": "ns1", "secret_key_id": created["secret_key_id"]},
        )[0]
        == 200
    )
    assert call("GET", "/object/user-secret-keys/u1/ns1")[1]["secret_key_1_exist"] is False


def test_default_profile_keeps_keys_visible_and_ignores_owner(ecs) -> None:
    _fill(ecs, ["ns1"])
    assert ecs("POST", "/object/bucket", {"name": "owned", "namespace": "ns1", "owner": "alice"})[0] == 200
    assert ecs("GET", "/object/bucket/owned/info", params={"namespace": "ns1"})[1]["owner"] == "admin"
    ecs("POST", "/object/users", {"user": "u1", "namespace": "ns1"})
    created = ecs("POST", "/object/user-secret-keys/u1", {"namespace": "ns1"})[1]
    assert "secret_key_id" not in created
    assert ecs("GET", "/object/user-secret-keys/u1/ns1")[1]["secret_key_1"] == created["secret_key"]
    status, body = ecs("GET", "/object/billing/buckets/ns1/ns1-b/info", params={"sizeunit": "BYTE"})
    assert (status, body["code"]) == (400, 1008)
