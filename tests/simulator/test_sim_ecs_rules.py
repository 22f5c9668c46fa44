"""ECS's refusals, with its statuses and codes (ecs-api.md §3, §5, §6, §10)."""

from __future__ import annotations

import pytest

from harness.simulator import admin_session


@pytest.fixture
def ecs(sim):
    """Raw admin calls returning (status, json-or-None)."""
    s = admin_session(sim)

    def call(method: str, path: str, body=None, data=None, **kw):
        r = s.request(method, sim.base_url + path, json=body, data=data, timeout=5, **kw)
        return r.status_code, (r.json() if r.content else None)

    assert call("POST", "/object/namespaces/namespace", {"namespace": "ns1"})[0] == 200
    assert call("POST", "/object/bucket", {"name": "b1", "namespace": "ns1"})[0] == 200
    yield call
    s.close()


def code(result) -> tuple[int, int]:
    return result[0], result[1]["code"]


def test_not_found_is_400_1004(ecs) -> None:
    assert code(ecs("GET", "/object/namespaces/namespace/nope")) == (400, 1004)
    assert code(ecs("GET", "/object/bucket/nope/info", params={"namespace": "ns1"})) == (400, 1004)
    assert code(ecs("GET", "/object/bucket/b1/quota", params={"namespace": "nope"})) == (400, 1004)
    assert code(ecs("GET", "/object/billing/buckets/ns1/nope/info")) == (400, 1004)
    assert code(ecs("GET", "/vdc/data-service/vpools/urn:storageos:ReplicationGroupInfo:x:global")) == (400, 1004)
    assert code(ecs("GET", "/object/users/ghost/info")) == (404, 2000)
    assert code(ecs("POST", "/object/users/deactivate", {"user": "ghost", "namespace": "ns1"})) == (404, 2000)


def test_duplicates_and_names(ecs) -> None:
    assert code(ecs("POST", "/object/namespaces/namespace", {"namespace": "ns1"})) == (400, 1015)
    assert code(ecs("POST", "/object/bucket", {"name": "b1", "namespace": "ns1"})) == (400, 40008)
    for bad in ("bad name", ".dot", "a..b", "192.168.1.1", "x" * 256, "end."):
        assert code(ecs("POST", "/object/bucket", {"name": bad, "namespace": "ns1"})) == (400, 40009), bad
    assert code(ecs("POST", "/object/namespaces/namespace", {"namespace": "has.dot"})) == (400, 1008)


@pytest.mark.parametrize(("block", "notification"), [(0, -1), (-2, -1), (5, 6), ("x", 1), (1.5, 1), (True, 1)])
def test_quota_validation(ecs, block, notification) -> None:
    body = {"blockSize": block, "notificationSize": notification}
    assert code(ecs("PUT", "/object/namespaces/namespace/ns1/quota", body)) == (400, 1008)
    assert code(ecs("PUT", "/object/bucket/b1/quota", {**body, "namespace": "ns1"})) == (400, 1008)


def test_quota_rules_specific_to_buckets(ecs) -> None:
    both_unset = {"blockSize": -1, "notificationSize": -1}
    assert ecs("PUT", "/object/namespaces/namespace/ns1/quota", both_unset)[0] == 200
    assert code(ecs("PUT", "/object/bucket/b1/quota", {**both_unset, "namespace": "ns1"})) == (400, 1008)
    assert ecs("PUT", "/object/bucket/b1/quota", {"blockSize": -1, "notificationSize": 3, "namespace": "ns1"})[0] == 200
    assert (
        ecs("POST", "/object/bucket", {"name": "q", "namespace": "ns1", "blockSize": 4, "notificationSize": 2})[0]
        == 200
    )
    assert ecs("GET", "/object/bucket/q/info", params={"namespace": "ns1"})[1]["block_size"] == 4
    assert code(
        ecs("POST", "/object/bucket", {"name": "q2", "namespace": "ns1", "blockSize": 1, "notificationSize": 2})
    ) == (400, 1008)


def test_namespace_with_buckets_cannot_be_deactivated(ecs, sim) -> None:
    assert ecs("POST", "/object/namespaces/namespace/ns1/deactivate", data='"{}"')[0] == 400
    sim.set_usage("ns1", "b1", 10, 1)
    assert ecs("POST", "/object/bucket/b1/deactivate", params={"namespace": "ns1"})[0] == 400
    assert ecs("POST", "/object/bucket/b1/deactivate", params={"namespace": "ns1", "emptyBucket": "true"})[0] == 202
    assert ecs("POST", "/object/namespaces/namespace/ns1/deactivate", data='"{}"') == (200, None)


def test_bulk_billing_body_edge_cases(ecs) -> None:
    path = "/object/billing/buckets/ns1/info"
    assert ecs("POST", path)[0] == 415
    assert ecs("POST", path, data="{}") == (200, {"bucket_billing_infos": []})
    assert code(ecs("POST", path, data="[]")) == (400, 1013)
    assert code(ecs("POST", path, data="null")) == (500, 999)
    assert [
        i["name"] for i in ecs("POST", path, {"id": ["b1"]}, params={"sizeunit": "MB"})[1]["bucket_billing_infos"]
    ] == ["b1"]
    assert code(ecs("GET", "/object/billing/buckets/ns1/b1/info", params={"sizeunit": "TB"})) == (400, 1008)


def test_lists_and_booleans_are_lenient(ecs) -> None:
    status, page = ecs("GET", "/object/bucket", params={"namespace": "ns1", "marker": "", "limit": "100"})
    assert status == 200 and "NextMarker" not in page and page["MaxBuckets"] == 100
    assert code(ecs("GET", "/object/bucket", params={"namespace": ""})) == (400, 1005)
    status, body = ecs("GET", "/object/billing/namespace/ns1/info", params={"include_bucket_detail": "True"})
    assert status == 200 and len(body["bucket_billing_info"]) == 1 and body["next_marker"] == ""
    assert (
        ecs(
            "POST",
            "/object/bucket",
            {"name": "fs", "namespace": "ns1", "filesystem_enabled": "True", "vpool": "", "head_type": "s3"},
        )[0]
        == 200
    )
    assert ecs("GET", "/object/bucket/fs/info", params={"namespace": "ns1"})[1]["fs_access_enabled"] is True


def test_unknown_method_and_path(ecs) -> None:
    assert code(ecs("DELETE", "/object/capacity")) == (405, 1007)
    assert ecs("GET", "/object/nothing-here")[0] == 404
