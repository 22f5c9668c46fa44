"""Control API (/_sim/...): usage and capacity injection, stats naming, state dump, reset."""

from __future__ import annotations

import requests

from harness.simulator import admin_session


class Admin:
    """Raw HTTP as an ECS admin, for asserting exact status codes and bodies."""

    def __init__(self, sim) -> None:
        self.sim = sim
        self.s = admin_session(sim, headers={"Accept": "application/json"})

    def __call__(self, method: str, path: str, json=None, **kw) -> requests.Response:
        return self.s.request(method, self.sim.base_url + path, json=json, timeout=5, **kw)


def _setup(admin: Admin) -> None:
    assert admin("POST", "/object/namespaces/namespace", {"namespace": "ns1"}).status_code == 200
    assert admin("POST", "/object/bucket", {"name": "b1", "namespace": "ns1"}).status_code == 200


def test_usage_drives_billing_in_binary_units(sim) -> None:
    admin = Admin(sim)
    _setup(admin)
    sim.set_usage("ns1", "b1", size_bytes=10_000_000, objects=4)
    kb = admin("GET", "/object/billing/buckets/ns1/b1/info", params={"sizeunit": "KB"}).json()
    assert kb["total_size"] == "9765.625" and kb["total_size_unit"] == "KB" and kb["total_objects"] == 4
    assert kb["sample_time"].endswith("Z") and kb["uptodate_till"]
    gb = admin("GET", "/object/billing/buckets/ns1/b1/info").json()
    assert gb["total_size_unit"] == "GB" and float(gb["total_size"]) == 10_000_000 / 1024**3
    mb = admin("GET", "/object/billing/namespace/ns1/info", params={"sizeunit": "MB"}).json()
    assert float(mb["total_size"]) * 1024**2 == 10_000_000 and mb["bucket_billing_info"] == []


def test_usage_on_unknown_bucket_is_refused(sim) -> None:
    response = requests.post(
        sim.base_url + "/_sim/usage",
        json={"namespace": "x", "bucket": "y", "size_bytes": 1},
        verify=sim.ca_path,
        timeout=5,
    )
    assert response.status_code == 400


def test_capacity(sim) -> None:
    admin = Admin(sim)
    sim.set_capacity(750, 739.5)
    assert admin("GET", "/object/capacity").json() == {"totalProvisioned_gb": 750, "totalFree_gb": 739.5}


def test_stats_name_endpoints_by_template_and_skip_control_calls(sim) -> None:
    admin = Admin(sim)
    _setup(admin)
    admin("PUT", "/object/namespaces/namespace/ns1/quota", {"blockSize": 2, "notificationSize": 1})
    sim.stats()
    stats = sim.stats()
    assert stats["by_endpoint"] == {
        "GET /login": 1,
        "POST /object/namespaces/namespace": 1,
        "POST /object/bucket": 1,
        "PUT /object/namespaces/namespace/{namespace}/quota": 1,
    }
    assert stats["requests"] == 4 and stats["logins"] == 1 and stats["active_tokens"] == 1


def test_state_dump_and_reset(sim) -> None:
    admin = Admin(sim)
    _setup(admin)
    admin("POST", "/object/users", {"user": "alice", "namespace": "ns1"})
    state = sim.control("GET", "/_sim/state")
    assert list(state["namespaces"]) == ["ns1"] and list(state["buckets"]["ns1"]) == ["b1"]
    assert state["namespaces"]["ns1"]["blockSize"] == -1 and state["buckets"]["ns1"]["b1"]["block_size"] == -1
    assert list(state["users"]) == ["alice"]
    sim.set_capacity(1, 1)
    sim.faults(fail_rate=0.5)
    sim.reset()
    state = sim.control("GET", "/_sim/state")
    assert state["namespaces"] == {} and state["buckets"] == {} and state["users"] == {}
    assert state["capacity"]["total_provisioned_gb"] > 1
    assert [rg["name"] for rg in state["replication_groups"]] == ["rg1"]
    assert sim.stats() == {"requests": 0, "by_endpoint": {}, "logins": 0, "active_tokens": 0, "in_flight": 0}
    assert sim.control("GET", "/_sim/faults")["fail_rate"] == 0
    assert admin("GET", "/user/whoami").status_code == 401  # tokens were dropped too
