"""Seeded faults: same seed, same sequence; per-endpoint rate 1.0; failed calls change nothing."""

from __future__ import annotations

import time

import pytest
import requests

from harness.simulator import admin_session


def _outcomes(sim, seed: int, n: int = 40) -> list[str]:
    s = admin_session(sim)
    sim.faults(fail_rate=0.5, seed=seed, slow_ms=50)
    out = []
    for _ in range(n):
        started = time.monotonic()
        try:
            r = s.get(sim.base_url + "/object/capacity", timeout=5)
            out.append(str(r.status_code))
        except requests.ConnectionError:
            slow = time.monotonic() - started >= 0.05  # "slow": late, then lost
            out.append("slow" if slow else "drop")
            s = _session_after_drop(sim, s)
    sim.faults()
    return out


def _session_after_drop(sim, s: requests.Session) -> requests.Session:
    s.close()  # the pool may hold the dead connection; the token is still valid
    return admin_session(sim, token=s.headers["X-SDS-AUTH-TOKEN"], headers=dict(s.headers))


def test_same_seed_same_sequence(sim) -> None:
    first = _outcomes(sim, seed=7)
    second = _outcomes(sim, seed=7)
    assert first == second
    assert {"500", "503", "drop", "slow"} <= set(first) and "200" in first
    assert _outcomes(sim, seed=8) != first


def test_error_bodies_are_ecs_shaped(sim) -> None:
    s = admin_session(sim)
    sim.faults(endpoints={"GET /object/capacity": 1.0}, kinds=["503"])
    body = s.get(sim.base_url + "/object/capacity", timeout=5).json()
    assert body["code"] == 6000 and body["retryable"] is True
    sim.faults(endpoints={"GET /object/capacity": 1.0}, kinds=["500"])
    r = s.get(sim.base_url + "/object/capacity", timeout=5)
    assert r.status_code == 500 and r.json()["code"] == 7000 and r.json()["retryable"] is False


def test_per_endpoint_rate_fails_only_that_step_and_changes_nothing(sim) -> None:
    s = admin_session(sim)
    sim.faults(endpoints={"PUT /object/namespaces/namespace/{namespace}/quota": 1.0}, kinds=["500", "503", "drop"])
    assert s.post(sim.base_url + "/object/namespaces/namespace", json={"namespace": "ns1"}, timeout=5).ok
    for _ in range(5):
        try:
            r = s.put(
                sim.base_url + "/object/namespaces/namespace/ns1/quota",
                json={"blockSize": 5, "notificationSize": 4},
                timeout=5,
            )
            assert r.status_code in (500, 503)
        except requests.ConnectionError:
            s = _session_after_drop(sim, s)
    assert sim.control("GET", "/_sim/state")["namespaces"]["ns1"]["blockSize"] == -1
    assert sim.stats()["by_endpoint"]["PUT /object/namespaces/namespace/{namespace}/quota"] == 5
    sim.faults()
    assert s.put(
        sim.base_url + "/object/namespaces/namespace/ns1/quota", json={"blockSize": 5, "notificationSize": 4}, timeout=5
    ).ok


def test_login_can_fail_and_slow_replies_time_out(sim) -> None:
    sim.faults(endpoints={"GET /login": 1.0}, kinds=["503"])
    assert (
        requests.get(sim.base_url + "/login", auth=(sim.user, sim.password), verify=sim.ca_path, timeout=5).status_code
        == 503
    )
    sim.faults(endpoints={"GET /login": 1.0}, kinds=["slow"], slow_ms=10000)
    started = time.monotonic()
    try:
        requests.get(sim.base_url + "/login", auth=(sim.user, sim.password), verify=sim.ca_path, timeout=0.3)
        raise AssertionError("expected a read timeout")
    except requests.ReadTimeout:
        assert time.monotonic() - started < 5  # generous: the answer would take 10 s


def test_latency(sim) -> None:
    sim.faults(latency_ms=100)
    started = time.monotonic()
    requests.get(sim.base_url + "/login", auth=(sim.user, sim.password), verify=sim.ca_path, timeout=5)
    assert time.monotonic() - started >= 0.1


def test_bad_fault_settings_are_refused(sim) -> None:
    r = requests.post(sim.base_url + "/_sim/faults", json={"fail_rate": 2}, verify=sim.ca_path, timeout=5)
    assert r.status_code == 400
    assert sim.control("POST", "/_sim/faults", {"slow_ms": 9_999_999})["slow_ms"] == 600_000


def test_absent_kind_answers_as_an_ecs_without_that_call_and_is_opt_in(sim) -> None:
    s = admin_session(sim)
    sim.faults(endpoints={"GET /object/capacity": 1.0}, kinds=["absent"])
    r = s.get(sim.base_url + "/object/capacity", timeout=5)
    assert r.status_code == 404 and r.json()["code"] == 2000
    assert "No resource at /object/capacity" in r.json()["details"]
    sim.faults(fail_rate=1.0, seed=1)  # the default kinds never include it
    assert sim.control("GET", "/_sim/faults")["kinds"] == ["500", "503", "drop", "slow"]
    sim.faults()


def test_a_login_waiting_when_the_simulator_is_reset_is_not_counted_after_it(sim) -> None:
    """A slow login whose client gave up (a killed worker, a timeout) must not land in the next test's ECS.
    (A slow write cannot: the reset forgets its token, so it is refused.)"""
    sim.faults(endpoints={"GET /login": 1.0}, kinds=["slow"], slow_ms=800)
    with pytest.raises(requests.ReadTimeout):
        requests.get(sim.base_url + "/login", auth=(sim.user, sim.password), verify=sim.ca_path, timeout=0.2)
    assert sim.stats()["in_flight"] >= 1  # the client gave up; the simulator still handles the call
    sim.reset()
    time.sleep(1.2)  # the login has woken up by now

    assert sim.stats()["logins"] == 0 and sim.stats()["active_tokens"] == 0


def test_calls_waiting_from_before_a_reset_do_not_count_against_max_concurrent(sim) -> None:
    sim.faults(endpoints={"GET /object/capacity": 1.0}, kinds=["slow"], slow_ms=1500)
    old = admin_session(sim)
    for _ in range(2):
        with pytest.raises(requests.ReadTimeout):
            old.get(sim.base_url + "/object/capacity", timeout=0.2)
    sim.reset()  # both still wait inside the simulator
    sim.faults(max_concurrent=1)
    assert admin_session(sim).get(sim.base_url + "/object/capacity", timeout=5).status_code == 200
