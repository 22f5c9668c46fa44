"""ecs_sync's failure paths (issue 10): a login that fails, a database write that fails, and the
per-bucket usage read a bulk answer falls back to. Each leaves ColdFront's values as they were,
is reported with a reason an admin can act on, and gives exit status 1."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes
from harness.sync import history_rows, make_allocations, make_resource, provision_on_sim, sync_json, values

pytestmark = pytest.mark.django_db
TB = attributes.QUOTA_TB


def delta(before: dict, after: dict) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


@pytest.fixture
def two_resources(ecs_types, default_sim):
    """Two ECS resources on one endpoint, two provisioned allocations each (ECS says 2 TB, ColdFront 1)."""
    one, two = make_resource("ECS one", default_sim.host_port), make_resource("ECS two", default_sim.host_port)
    allocs = make_allocations(one, 2) + make_allocations(two, 2)
    provision_on_sim(default_sim, allocs)
    return default_sim, allocs


def test_rejected_credentials_fail_each_resource_once_and_write_nothing(two_resources, settings):
    sim, allocs = two_resources
    settings.ECS_PASS = "not-the-password"
    before, rows, calls = {a.pk: values(a.pk) for a in allocs}, history_rows(), sim.stats()["by_endpoint"]

    report, status = sync_json()

    assert status == 1
    assert delta(calls, sim.stats()["by_endpoint"]) == {"GET /login": 1}  # not retried, nothing else asked
    assert (report["updated"], report["unchanged"]) == (0, 0)
    assert [(r["failed"], r["resource_failed"]) for r in report["resources"]] == [(2, True), (2, True)]
    reasons = [f["reason"] for r in report["resources"] for f in r["failures"]]
    assert len(reasons) == report["failed"] == 2  # one line per resource, not one per allocation
    assert all(f"login to {sim.base_url}" in r and "rejected the credentials of user 'admin'" in r for r in reasons)
    assert all("not-the-password" not in r for r in reasons)
    assert {a.pk: values(a.pk) for a in allocs} == before and history_rows() == rows

    settings.ECS_PASS = sim.password  # the next run with the right password converges
    report, status = sync_json()
    assert status == 0 and report["updated"] == 4
    assert all(values(a.pk)[TB][0] == "2" for a in allocs)


def test_login_failing_on_ecs_side_is_retried_then_fails_the_endpoint(two_resources):
    sim, allocs = two_resources
    before, calls = {a.pk: values(a.pk) for a in allocs}, sim.stats()["by_endpoint"]
    sim.faults(endpoints={"GET /login": 1.0}, kinds=["500"])

    report, status = sync_json()

    sim.faults()
    assert status == 1 and report["updated"] == 0
    assert [r["failed"] for r in report["resources"]] == [2, 2]
    sent = delta(calls, sim.stats()["by_endpoint"])
    assert sent == {"GET /login": 4}  # the client's 3 retries, then it gives up; nothing else is asked
    [reason] = {f["reason"] for r in report["resources"] for f in r["failures"]}
    assert reason.startswith(f"reading login to {sim.base_url} failed") and "after 4 attempt(s)" in reason, reason
    assert "HTTP 500" in reason
    assert {a.pk: values(a.pk) for a in allocs} == before
