"""The client against the ECS simulator over real HTTPS: tokens, faults, TLS, pagination, fixture parity."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coldfront_ecs_plugin.ecs import (
    ECSAlreadyExists,
    ECSClient,
    ECSConfigurationError,
    ECSError,
    ECSNotFound,
    ECSUnavailable,
    Namespace,
    Quota,
    parse,
)
from harness.simulator import SimulatorHandle, start_simulator

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ecs-ce-live"


def make(sim: SimulatorHandle, **kwargs: Any) -> ECSClient:
    kwargs.setdefault("verify", sim.ca_path)
    kwargs.setdefault("timeout", 5.0)
    kwargs.setdefault("backoff", 0.01)
    return ECSClient(sim.base_url, sim.user, sim.password, **kwargs)


@pytest.fixture
def ecs(sim: SimulatorHandle) -> Iterator[ECSClient]:
    with make(sim) as client:
        yield client


@pytest.fixture
def short_ttl_sim(tmp_path: Path) -> Iterator[SimulatorHandle]:
    handle = start_simulator(tmp_path / "ca.pem", "--token-ttl", "1")
    yield handle
    handle.stop()


# -- provisioning round trip -----------------------------------------------------------------
def test_round_trip(sim: SimulatorHandle, ecs: ECSClient) -> None:
    rg = ecs.replication_group_id("rg1")
    assert rg.startswith("urn:storageos:ReplicationGroupInfo:")
    with pytest.raises(ECSNotFound, match="rg1"):
        ecs.replication_group_id("nope")
    assert ecs.get_replication_group(rg).name == "rg1"

    assert not ecs.namespace_exists("lab")
    with pytest.raises(ECSNotFound) as info:
        ecs.get_namespace("lab")
    assert info.value.code == 1004 and info.value.http_status == 400
    ns = ecs.create_namespace(
        "lab", replication_group_id=rg, user_mapping=[{"domain": "example.org", "groups": ["lab-group"]}]
    )
    assert ns.name == "lab" and ns.default_replication_group == rg
    with pytest.raises(ECSAlreadyExists):
        ecs.create_namespace("lab", replication_group_id=rg)
    assert ecs.get_namespace_quota("lab").unlimited
    ecs.set_namespace_quota("lab", 10, 9)
    assert ecs.get_namespace_quota("lab") == Quota(10, 9)

    bucket = ecs.create_bucket("lab", "data", filesystem_enabled=True, quota=Quota(5, 4))
    assert bucket.name == "data"
    with pytest.raises(ECSAlreadyExists):
        ecs.create_bucket("lab", "data")
    got = ecs.get_bucket("lab", "data")
    assert got.namespace == "lab" and got.filesystem_enabled and got.quota == Quota(5, 4)
    assert got.replication_group == rg
    assert ecs.get_bucket_quota("lab", "data") == Quota(5, 4)
    ecs.set_bucket_quota("lab", "data", 8, 7)
    assert ecs.get_bucket_quota("lab", "data") == Quota(8, 7)
    ecs.delete_bucket_quota("lab", "data")
    assert ecs.get_bucket_quota("lab", "data").unlimited
    assert not ecs.bucket_exists("lab", "missing")

    sim.set_usage("lab", "data", 7_000_000, 3)
    usage = ecs.get_bucket_usage("lab", "data")
    assert (usage.size_bytes, usage.objects) == (7_000_000, 3)
    assert ecs.get_bucket_usages("lab", ["data", "missing"]).keys() == {"data"}
    ns_usage = ecs.get_namespace_usage("lab")
    assert ns_usage.size_bytes == 7_000_000 and ns_usage.buckets["data"].size_bytes == 7_000_000

    sim.set_capacity(750, 739)
    assert ecs.get_capacity().used_gb == 11

    user = ecs.create_object_user("alice", "lab", tags={"coldfront_project": "12"})
    assert user.userid == "alice"
    assert any(u.userid == "alice" for u in ecs.list_object_users("lab"))
    key = ecs.create_secret_key("alice", "lab")
    assert ecs.get_secret_keys("alice", "lab").keys == (key,)
    ecs.delete_secret_key("alice", "lab")
    assert ecs.get_secret_keys("alice", "lab").keys == ()
    ecs.delete_object_user("alice", "lab")

    sim.set_usage("lab", "data", 0, 0)
    ecs.delete_bucket("lab", "data")
    with pytest.raises(ECSNotFound):
        ecs.delete_bucket("lab", "data")
    ecs.delete_namespace("lab")
    assert not ecs.namespace_exists("lab")
    assert ecs.whoami()["common_name"] == sim.user
    assert sim.stats()["logins"] == 1


# -- tokens ----------------------------------------------------------------------------------
def test_one_login_for_150_calls_and_logout_on_close(sim: SimulatorHandle) -> None:
    with make(sim) as client:
        for _ in range(150):
            client.list_replication_groups()
        assert client.request_count == 151
        stats = sim.stats()
        assert stats["logins"] == 1 and stats["active_tokens"] == 1
        assert stats["by_endpoint"].get("GET /user/whoami", 0) == 0
    assert sim.stats()["active_tokens"] == 0


def test_expired_token_triggers_one_relogin(short_ttl_sim: SimulatorHandle) -> None:
    with make(short_ttl_sim) as client:
        client.get_capacity()
        time.sleep(1.2)
        client.get_capacity()
        assert short_ttl_sim.stats()["logins"] == 2
        assert client.request_count == 5  # login, call, 401, login, call


def test_concurrent_401s_cause_one_relogin(short_ttl_sim: SimulatorHandle) -> None:
    client = make(short_ttl_sim, pool_size=4)
    client.get_capacity()
    time.sleep(1.2)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            client.get_capacity()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    stats = short_ttl_sim.stats()
    assert stats["logins"] == 2
    assert stats["active_tokens"] <= 1
    client.close()
    assert short_ttl_sim.stats()["active_tokens"] == 0


def test_bad_password_is_auth_error_without_secret(sim: SimulatorHandle) -> None:
    from coldfront_ecs_plugin.ecs import ECSAuthError

    client = ECSClient(sim.base_url, sim.user, "wrong-Pw-123", verify=sim.ca_path)
    with pytest.raises(ECSAuthError) as info:
        client.get_capacity()
    assert "wrong-Pw-123" not in str(info.value) and "wrong-Pw-123" not in repr(client)
    client.close()


# -- faults ----------------------------------------------------------------------------------
def test_retries_win_at_moderate_fail_rate(sim: SimulatorHandle) -> None:
    sim.faults(fail_rate=0.3, seed=7, slow_ms=800)
    with make(sim, timeout=0.4, retries=4) as client:
        client.create_namespace("flaky", replication_group_id=None)
        for i in range(5):
            client.create_bucket("flaky", f"b{i}")
        client.set_namespace_quota("flaky", 10, 9)
        for _ in range(5):
            assert client.get_namespace_quota("flaky") == Quota(10, 9)
        assert {b.name for b in client.list_buckets("flaky")} == {f"b{i}" for i in range(5)}
        assert len(client.get_bucket_usages("flaky", [f"b{i}" for i in range(5)])) == 5
    sim.faults(fail_rate=0)
    state = sim.control("GET", "/_sim/state")
    assert json.dumps(state).count('"flaky"') >= 1
    assert sim.stats()["requests"] > 13  # faults did happen and were retried


def test_total_failure_raises_unavailable_after_the_bound(sim: SimulatorHandle) -> None:
    client = make(sim, timeout=0.3, retries=3)
    client.login()  # a login left unanswered is not sent again (test_client_field): here the call's retries count
    sim.faults(fail_rate=1.0, seed=1, slow_ms=5000)
    before = client.request_count
    started = time.monotonic()
    with pytest.raises(ECSUnavailable) as info:
        client.get_capacity()
    assert time.monotonic() - started < 4 * 0.3 + 3.0  # generous: one slow answer alone takes 5 s
    assert client.request_count - before == 4
    assert sim.password not in str(info.value)
    client.close()


def test_slow_ecs_never_hangs_past_the_bound(sim: SimulatorHandle) -> None:
    client = make(sim, timeout=0.3, retries=2)
    client.login()
    sim.faults(
        endpoints={"GET /object/capacity": 1.0, "POST /object/namespaces/namespace": 1.0},
        kinds=["slow"],
        slow_ms=10000,
        seed=1,
    )
    for call in (client.get_capacity, lambda: client.create_namespace("slowpoke")):
        started = time.monotonic()
        try:
            result = call()
        except ECSUnavailable:
            result = None
        elapsed = time.monotonic() - started
        assert elapsed < 3 * 0.3 + 3.0, f"call took {elapsed:.2f}s"  # generous: one slow answer takes 10 s
        assert result is None or isinstance(result, Namespace)
    sim.faults(fail_rate=0)
    client.close()


# -- TLS -------------------------------------------------------------------------------------
def test_tls_verification(sim: SimulatorHandle, tmp_path: Path) -> None:
    import trustme

    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    for verify in (str(other_ca), True):
        client = ECSClient(sim.base_url, sim.user, sim.password, verify=verify, timeout=5, retries=1)
        with pytest.raises(ECSError) as info:
            client.get_capacity()
        assert isinstance(info.value, (ECSConfigurationError, ECSUnavailable))
        assert sim.password not in str(info.value)
        client.close()
    with make(sim) as client:
        client.get_capacity()


# -- pagination ------------------------------------------------------------------------------
def test_pagination_across_pages(sim: SimulatorHandle, ecs: ECSClient) -> None:
    ecs.create_namespace("big")
    names = {f"bucket-{i:03d}" for i in range(250)}
    for name in sorted(names):
        ecs.create_bucket("big", name)
    before = sim.stats()["by_endpoint"].get("GET /object/bucket", 0)
    assert {b.name for b in ecs.list_buckets("big", page_size=100)} == names
    assert sim.stats()["by_endpoint"]["GET /object/bucket"] - before == 3
    usage = ecs.get_namespace_usage("big")
    assert set(usage.buckets) == names
    assert len(ecs.get_bucket_usages("big", sorted(names))) == 250

    for i in range(249):
        ecs.create_namespace(f"ns-{i:03d}")
    before = sim.stats()["by_endpoint"].get("GET /object/namespaces", 0)
    listed = [n.name for n in ecs.list_namespaces(page_size=100)]
    assert len(listed) == 250 and len(set(listed)) == 250
    assert sim.stats()["by_endpoint"]["GET /object/namespaces"] - before == 3


# -- fixture parity --------------------------------------------------------------------------
def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        try:
            float(value)
            return "numeric-string"
        except ValueError:
            return "string"
    return type(value).__name__


def _assert_same_shape(fixture: dict, answer: dict, where: str) -> None:
    missing = set(fixture) - set(answer)
    assert not missing, f"{where}: simulator lacks {sorted(missing)}"
    for key, value in fixture.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            assert answer[key], f"{where}: {key} empty"
            _assert_same_shape(value[0], answer[key][0], f"{where}.{key}[0]")
        elif value is not None and _kind(value) != "string":
            assert _kind(answer[key]) == _kind(value), f"{where}: {key} is {answer[key]!r}, capture has {value!r}"


def _timeless(value: Any) -> Any:
    """Parsed value without sample times (the simulator stamps "now")."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items()}
    if hasattr(value, "sample_time"):
        value = dataclasses.replace(value, sample_time=None, uptodate_till=None)
    if hasattr(value, "buckets"):
        value = dataclasses.replace(value, buckets=_timeless(value.buckets))
    return value


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"ECS CE live fixtures not found at {FIXTURES}")
def test_simulator_answers_parse_like_the_live_captures(sim: SimulatorHandle, ecs: ECSClient) -> None:
    live = FIXTURES / "ecs-3.8.1.4-live"
    ecs.create_namespace("redacted-namespace")
    for name in ("redacted-bucket-unset", "redacted-bucket-empty", "redacted-bucket-quota"):
        ecs.create_bucket("redacted-namespace", name)
    ecs.set_bucket_quota("redacted-namespace", "redacted-bucket-quota", 2, 1)
    sim.set_usage("redacted-namespace", "redacted-bucket-unset", 3072 * 1024, 1)
    sim.set_usage("redacted-namespace", "redacted-bucket-quota", 7168 * 1024, 3)

    def raw(method: str, path: str, **kwargs: Any) -> dict:
        return ecs._json(ecs._call(method, path, **kwargs))

    calls: dict[str, tuple[dict, Any]] = {
        "bucket-quota-configured.json": (
            raw("GET", "/object/bucket/redacted-bucket-quota/quota", params={"namespace": "redacted-namespace"}),
            parse.parse_quota,
        ),
        "bucket-quota-unset.json": (
            raw("GET", "/object/bucket/redacted-bucket-unset/quota", params={"namespace": "redacted-namespace"}),
            parse.parse_quota,
        ),
        "namespace-quota-unset.json": (
            raw("GET", "/object/namespaces/namespace/redacted-namespace/quota"),
            parse.parse_quota,
        ),
        "namespace-billing-info.json": (
            raw(
                "GET",
                "/object/billing/namespace/redacted-namespace/info",
                params={"sizeunit": "KB", "include_bucket_detail": "false"},
            ),
            lambda d: parse.parse_namespace_billing(d).usage,
        ),
        "bucket-billing-batch.json": (
            raw(
                "POST",
                "/object/billing/buckets/redacted-namespace/info",
                params={"sizeunit": "KB"},
                body={"id": ["redacted-bucket-unset", "redacted-bucket-empty", "redacted-bucket-quota"]},
                idempotent=True,
            ),
            parse.parse_bucket_usages,
        ),
    }
    single = raw(
        "GET", "/object/billing/buckets/redacted-namespace/redacted-bucket-quota/info", params={"sizeunit": "KB"}
    )
    for file, (answer, parser) in calls.items():
        capture = json.loads((live / file).read_text())
        _assert_same_shape(capture, answer, file)
        assert _timeless(parser(answer)) == _timeless(parser(capture)), file
    # 3.8.0.3 captured the single-bucket call (total_size as a JSON number there, a string in 3.8.1.4)
    capture = json.loads((FIXTURES / "ecs-3.8.0.3-live" / "bucket-billing-info.json").read_text())
    assert set(capture) <= set(single)
    assert _kind(single["total_size"]) in ("number", "numeric-string")
    assert parse.parse_bucket_usage(single).size_bytes == 7168 * 1024
