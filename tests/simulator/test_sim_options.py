"""Run-time options through /_sim/faults: billing lag, 302 for expired tokens, the concurrency cap;
compliance retention; the control API refusing bad values."""

from __future__ import annotations

import concurrent.futures
import json
import math
import time
from datetime import datetime, timezone

import pytest
import requests

from harness.simulator import admin_session


def _setup(ecs, compliance: bool = False) -> None:
    body = {"namespace": "ns1", "compliance_enabled": compliance}
    assert ecs("POST", "/object/namespaces/namespace", body)[0] == 200
    assert ecs("POST", "/object/bucket", {"name": "b1", "namespace": "ns1", "retention": 0})[0] == 200


def _age_s(stamp: str) -> float:
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc).timestamp() - when.timestamp()


def test_billing_lag(sim, ecs) -> None:
    _setup(ecs)
    sim.faults(billing_lag_s=1.5)
    sim.set_usage("ns1", "b1", 2048, 2)
    lagged = ecs("GET", "/object/billing/buckets/ns1/b1/info", params={"sizeunit": "KB"})[1]
    assert (lagged["total_size"], lagged["total_objects"]) == ("0", 0)
    assert 0.5 <= _age_s(lagged["sample_time"]) <= 3 and lagged["uptodate_till"] == lagged["sample_time"]
    ns = ecs("GET", "/object/billing/namespace/ns1/info", params={"sizeunit": "KB"})[1]
    assert ns["total_size"] == "0"
    time.sleep(1.7)
    fresh = ecs("GET", "/object/billing/buckets/ns1/b1/info", params={"sizeunit": "KB"})[1]
    assert (fresh["total_size"], fresh["total_objects"]) == ("2", 2)
    sim.faults()  # back to the command line's 0: billing is the truth again
    sim.set_usage("ns1", "b1", 4096, 4)
    assert ecs("GET", "/object/billing/buckets/ns1/b1/info", params={"sizeunit": "KB"})[1]["total_size"] == "4"


def test_expired_token_as_302(sim) -> None:
    sim.faults(expired_token=302)
    r = requests.get(
        sim.base_url + "/object/namespaces",
        headers={"X-SDS-AUTH-TOKEN": "stale"},
        verify=sim.ca_path,
        timeout=5,
        allow_redirects=False,
    )
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    followed = requests.get(
        sim.base_url + "/object/namespaces", headers={"X-SDS-AUTH-TOKEN": "stale"}, verify=sim.ca_path, timeout=5
    )
    assert followed.status_code == 401  # a client that follows lands on /login without credentials
    bad_login = requests.get(
        sim.base_url + "/login", auth=("admin", "nope"), verify=sim.ca_path, timeout=5, allow_redirects=False
    )
    assert bad_login.status_code == 401  # wrong credentials are still a 401
    assert sim.control("GET", "/_sim/faults")["expired_token"] == 302
    sim.faults()
    assert sim.control("GET", "/_sim/faults")["expired_token"] == 401


def test_max_concurrent_answers_503_6000(sim) -> None:
    s = admin_session(sim)
    sim.faults(max_concurrent=2, latency_ms=1500)  # long enough that the six calls overlap on a busy machine

    def call(_: int) -> requests.Response:
        return s.get(sim.base_url + "/object/capacity", timeout=5)

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(call, range(6)))
    sim.faults()
    refused = [r for r in replies if r.status_code == 503]
    assert sum(r.status_code == 200 for r in replies) >= 1 and len(refused) >= 3
    assert all(r.json()["code"] == 6000 and r.json()["retryable"] is True for r in refused)


def test_compliance_namespace_requires_retention(ecs) -> None:
    assert ecs("POST", "/object/namespaces/namespace", {"namespace": "cns", "compliance_enabled": True})[0] == 200
    status, body = ecs("POST", "/object/bucket", {"name": "nope", "namespace": "cns"})
    assert (status, body["code"]) == (400, 1008) and "retention" in body["details"]
    assert ecs("POST", "/object/bucket", {"name": "kept", "namespace": "cns", "retention": 3600})[0] == 200
    assert ecs("GET", "/object/bucket/kept/info", params={"namespace": "cns"})[1]["retention"] == 3600


@pytest.mark.parametrize(
    "payload",
    [
        {"latency_ms": -5},
        {"latency_ms": math.nan},
        {"latency_ms": "fast"},
        {"fail_rate": 1.5},
        {"endpoints": ["GET /object/capacity"]},
        {"endpoints": {"GET /object/capacity": "x"}},
        {"kinds": "500"},
        {"kinds": ["teapot"]},
        {"slow_ms": -1},
        {"seed": "x"},
        {"billing_lag_s": -1},
        {"expired_token": 303},
        {"max_concurrent": 1.5},
        {"max_concurrent": True},
        {"no_such_key": 1},
    ],
)
def test_control_api_refuses_bad_values(sim, payload) -> None:
    before = sim.control("GET", "/_sim/faults")
    r = _post_raw(sim, "/_sim/faults", payload)
    assert r.status_code == 400 and r.json()["code"] in (1008, 1013)  # NaN is not even JSON
    assert sim.control("GET", "/_sim/faults") == before  # nothing changed


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/_sim/capacity", {"total_provisioned_gb": math.inf, "total_free_gb": 1}),
        ("/_sim/capacity", {"total_provisioned_gb": [1], "total_free_gb": 1}),
        ("/_sim/usage", {"namespace": ["x"], "bucket": "b"}),
        ("/_sim/mgmt-users", {"user": "u", "password": 5}),
    ],
)
def test_control_api_types(sim, path, payload) -> None:
    assert _post_raw(sim, path, payload).status_code == 400


def _post_raw(sim, path: str, payload: dict) -> requests.Response:
    return requests.post(
        sim.base_url + path,
        data=json.dumps(payload, allow_nan=True),
        headers={"Content-Type": "application/json"},
        verify=sim.ca_path,
        timeout=5,
    )
