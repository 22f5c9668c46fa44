"""ecs_sync against ECS as it is in the field (issue 9): a hung endpoint, expired tokens answered
with 302, the token cap, billing lag, missing bulk calls, queued failures, and what the command prints."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin.services.sync import sync_resources
from coldfront_ecs_plugin.tasks import task_budget
from harness.simulator import admin_session
from harness.sync import make_allocations, make_resource, provision_on_sim, sync_json, values
from sync.conftest import profile_sim

pytestmark = pytest.mark.django_db
READS = (
    "GET /object/namespaces",
    "GET /object/capacity",
    "POST /object/billing/namespace/info",
    "GET /object/billing/namespace/{namespace}/info",
    "GET /object/namespaces/namespace/{namespace}/quota",
    "POST /object/billing/buckets/{namespace}/info",
    "GET /object/billing/buckets/{namespace}/{bucket}/info",
)


@pytest.fixture
def field(ecs_types, default_sim):
    resource = make_resource("ECS field", default_sim.host_port)
    return default_sim, resource


def test_hung_endpoint_is_cut_short_by_the_breaker(field, settings):
    sim, resource = field
    allocs = make_allocations(resource, 30)
    provision_on_sim(sim, allocs)
    settings.ECS_REQUEST_TIMEOUT = 0.2
    settings.ECS_SYNC_CONCURRENCY = 4
    settings.ECS_BREAKER_FAILURES = 3
    sim.faults(endpoints={endpoint: 1.0 for endpoint in READS}, kinds=["slow"], slow_ms=1000)
    before = sim.stats()["by_endpoint"]

    report = sync_resources()

    sim.faults()
    after = sim.stats()["by_endpoint"]
    sent = sum(after.get(e, 0) - before.get(e, 0) for e in READS)
    assert sent <= (3 + 4) * (3 + 1)  # (breaker limit + calls in flight) x (retries + 1) attempts each
    [resource_report] = report.resources
    skipped = resource_report.skipped
    assert resource_report.failed == 30 and skipped >= 30 - 4  # a few were in flight when it opened
    lines = [f.reason for f in resource_report.failures]
    assert (
        sum(
            line.startswith(f"{skipped} allocation(s) (and any capacity read) skipped: endpoint unresponsive")
            for line in lines
        )
        == 1
    )
    assert report.failed == len(report.to_dict()["failures"]) == len(lines)
    assert len(lines) <= 1 + 1 + (30 - skipped)  # capacity, the skipped ones, those in flight
    assert report.endpoints[next(iter(report.endpoints))]["skipped_calls"] > 0


def test_expired_token_answered_with_302_costs_one_relogin(field, monkeypatch):
    from coldfront_ecs_plugin.services import sync_read

    sim, resource = field
    provision_on_sim(sim, make_allocations(resource, 3))
    sim.faults(expired_token="302")
    real_login = sync_read._login

    def login_then_expire(client, reading):
        ok = real_login(client, reading)
        client._token = "expired-token"  # what ECS holds against a token past its 2 h idle limit
        return ok

    monkeypatch.setattr(sync_read, "_login", login_then_expire)
    logins = sim.stats()["logins"]

    report = sync_resources()

    assert report.ok, report.all_failures()
    assert sim.stats()["logins"] - logins == 2


def test_token_cap_is_named_with_what_to_do(field):
    sim, resource = field
    make_allocations(resource, 1)
    tokens = []
    for _ in range(100):  # the user's 100 live tokens (each session closed: the simulator's threads are few)
        with admin_session(sim) as session:
            tokens.append(session.headers["X-SDS-AUTH-TOKEN"])
    try:
        report = sync_resources()
    finally:
        with admin_session(sim, token=tokens[0]) as session:
            session.get(sim.base_url + "/logout", params={"force": "true"}, timeout=5)
    [reason] = [f.reason for _r, f in report.all_failures()]
    assert "maximum number of tokens" in reason and "force=true" in reason
    assert "rejected the credentials" not in reason


def test_usage_age_is_reported(field):
    sim, resource = field
    provision_on_sim(sim, make_allocations(resource, 2))
    sim.faults(billing_lag_s=120)

    data, status = sync_json()

    assert status == 0
    assert data["usage_age_s"] >= 119 and data["usage_uptodate_till"]
    [endpoint] = data["endpoints"].values()
    assert endpoint["usage_age_s"] >= 119 and endpoint["usage_source"] == "bulk namespace billing"
    out = io.StringIO()
    call_command("ecs_sync", stdout=out)
    assert "usage as ECS sampled it up to" in out.getvalue()


def test_missing_bulk_calls_are_reported_once(ecs_types, profile_sims, tmp_path_factory):
    sim = profile_sim("ecs-3.1", profile_sims, tmp_path_factory)
    resource = make_resource("ECS old", sim.host_port)
    provision_on_sim(sim, make_allocations(resource, 4))

    report = sync_resources()

    assert report.ok, report.all_failures()
    assert [n for n in report.notes if "has no" in n] == [
        f"ECS at {sim.base_url} has no bulk namespace billing (HTTP 404, ECS code 2000); usage read with bulk "
        "bucket billing",
        f"ECS at {sim.base_url} has no bulk bucket billing (HTTP 404, ECS code 2000); usage read with namespace "
        "billing",
    ]
    [endpoint] = report.endpoints.values()
    assert (endpoint["quota_source"], endpoint["usage_source"]) == ("per-namespace", "namespace billing")


def test_queued_sync_with_failures_raises_with_its_report(field):
    """django-q stores a task that raised as failed (success False) with the message as its result;
    tests/sync/test_sync_qcluster.py shows it with a real qcluster."""
    from coldfront_ecs_plugin.tasks import SyncFailed, sync_endpoint_task

    sim, resource = field
    allocs = make_allocations(resource, 2)
    provision_on_sim(sim, allocs[:1])

    with pytest.raises(SyncFailed) as raised:
        sync_endpoint_task(f"https://{sim.host_port}", [resource.pk])

    report = json.loads(str(raised.value).split("report: ", 1)[1])
    assert report["failed"] == 1 and report["failures"][0]["allocation_id"] == allocs[1].pk
    assert values(allocs[0].pk)["Storage Quota (TB)"][0] == "2"  # the rest was still written


def test_task_budget_stays_below_the_django_q_timeout():
    assert task_budget(120) == 90
    assert task_budget(30) == 20
    assert task_budget(None) is not None or task_budget(None) is None  # read from Q_CLUSTER
    assert task_budget(0) is None and task_budget("x") is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), Terminal()
    try:
        call_command("ecs_sync", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def test_command_progress_quiet_mode_and_failure_lines(field):
    sim, resource = field
    allocs = make_allocations(resource, 3)
    provision_on_sim(sim, allocs[:1])  # two allocations fail twice each (quota and usage)

    out, err, status = run()
    assert status == 1
    assert f"{sim.base_url}: 3/3 namespace(s) read" in err
    failed_lines = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed_lines) == 2 and "1 updated, 0 unchanged, 2 failed" in out

    data, _status = sync_json()
    assert data["failed"] == len(data["failures"]) == 2

    quiet, err, status = run("-v", "0")
    assert status == 1 and err == ""
    assert (
        quiet.splitlines() == [line for line in quiet.splitlines() if "FAILED" in line] and len(quiet.splitlines()) == 2
    )


def test_dry_run_says_would_update(field):
    sim, resource = field
    provision_on_sim(sim, make_allocations(resource, 2))
    out, _err, status = run("--dry-run")
    assert status == 0 and "2 would update, 0 unchanged, 0 failed" in out
