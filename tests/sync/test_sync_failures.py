"""ecs_sync's failure paths (issue 10): a login that fails, a database write that fails, and the
per-bucket usage read a bulk answer falls back to. Each leaves ColdFront's values as they were,
is reported with a reason an admin can act on, and gives exit status 1."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes
from harness.sync import (
    GIB,
    ecs_client,
    history_rows,
    make_allocations,
    make_resource,
    provision_on_sim,
    sync_json,
    values,
)

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


BILLING_FORMS = (
    "POST /object/billing/namespace/info",
    "POST /object/billing/buckets/{namespace}/info",
    "GET /object/billing/namespace/{namespace}/info",
)
BUCKET_BILLING = "GET /object/billing/buckets/{namespace}/{bucket}/info"


def test_an_ecs_with_bucket_billing_only_is_read_one_bucket_at_a_time(ecs_types, default_sim):
    """The end of the fallback chain over real HTTPS: every cheaper form answers 404/2000 once."""
    sim = default_sim
    resource = make_resource("ECS bucket billing", sim.host_port)
    allocs = make_allocations(resource, 3)
    provision_on_sim(sim, allocs, usage_bytes=5 * GIB)
    calls = sim.stats()["by_endpoint"]
    sim.faults(endpoints=dict.fromkeys(BILLING_FORMS, 1.0), kinds=["absent"])

    report, status = sync_json()

    sim.faults()
    assert status == 0, report
    sent = delta(calls, sim.stats()["by_endpoint"])
    assert [sent.get(form) for form in BILLING_FORMS] == [1, 1, 1]  # each form probed once, then abandoned
    assert sent[BUCKET_BILLING] == 3
    [endpoint] = report["endpoints"].values()
    assert endpoint["usage_source"] == "bucket billing"
    assert [n for n in report["notes"] if "has no" in n] == [
        f"ECS at {sim.base_url} has no bulk namespace billing (HTTP 404, ECS code 2000); usage read with bulk "
        "bucket billing",
        f"ECS at {sim.base_url} has no bulk bucket billing (HTTP 404, ECS code 2000); usage read with namespace "
        "billing",
        f"ECS at {sim.base_url} has no namespace billing (HTTP 404, ECS code 2000); usage read with bucket billing",
    ]
    assert all(values(a.pk)[TB] == ("2", 5 / 1024) for a in allocs)


def test_a_bucket_left_out_of_the_bulk_answer_is_asked_alone(ecs_types, default_sim):
    """The per-bucket fallback: ECS's bulk answer leaves out a bucket it does not have; asked alone it
    says why, that allocation fails with the reason, its old usage stays, the others are written."""
    sim = default_sim
    resource = make_resource("ECS lost bucket", sim.host_port)
    kept, lost = make_allocations(resource, 2)
    provision_on_sim(sim, [kept, lost], usage_bytes=5 * GIB)
    assert sync_json()[1] == 0  # both read once: 5 GiB each
    sim.set_usage(lost.namespace, lost.bucket, 0, 0)  # ECS deletes empty buckets only
    with ecs_client(sim) as client:
        client.delete_bucket(lost.namespace, lost.bucket)
    sim.set_usage(kept.namespace, kept.bucket, 7 * GIB, 1)
    calls = sim.stats()["by_endpoint"]

    report, status = sync_json()

    assert status == 1
    sent = delta(calls, sim.stats()["by_endpoint"])
    assert sent["POST /object/billing/namespace/info"] == 1 and sent[BUCKET_BILLING] == 1
    [failure] = [f for f in report["failures"] if f["allocation_id"] == lost.pk]
    assert failure["reason"] == f"bucket {lost.bucket!r} not found on ECS"
    assert values(lost.pk)[TB] == ("2", 5 / 1024)  # the last usage read stays: a failure is never a zero
    assert values(kept.pk)[TB] == ("2", 7 / 1024)


def test_bad_settings_or_missing_attribute_types_stop_the_run_with_the_reason(ecs_types, default_sim, settings):
    from coldfront.core.allocation.models import AllocationAttributeType

    from coldfront_ecs_plugin.services.sync import update_resource_usage

    resource = make_resource("ECS unset", default_sim.host_port)
    make_allocations(resource, 1)
    before = default_sim.stats()["requests"]
    settings.ECS_PASS = ""
    report, status = sync_json()
    assert status == 1 and [f["reason"] for f in report["failures"]] == ["settings: ECS_PASS is not set"]
    legacy = update_resource_usage(resource)  # the one-resource entry point reports it on the resource
    assert legacy.resource_failed and [f.reason for f in legacy.failures] == ["settings: ECS_PASS is not set"]

    settings.ECS_PASS = default_sim.password
    AllocationAttributeType.objects.filter(name=attributes.QUOTA_BYTES).delete()
    report, status = sync_json()
    assert status == 1
    assert [f["reason"] for f in report["failures"]] == [
        f"attribute types missing: {attributes.QUOTA_BYTES}; run 'manage.py ecs_setup'"
    ]
    assert default_sim.stats()["requests"] == before  # ECS was never asked


def test_an_unreadable_cluster_identity_fails_the_endpoint_and_writes_nothing(two_resources):
    sim, allocs = two_resources
    before = {a.pk: values(a.pk) for a in allocs}
    sim.faults(endpoints={"GET /object/vdcs/vdc/local": 1.0}, kinds=["500"])
    try:
        report, status = sync_json()
    finally:
        sim.faults()
    assert status == 1 and report["updated"] == 0
    reasons = {f["reason"] for f in report["failures"]}
    [reason] = reasons
    assert reason.startswith("reading the cluster identity (local VDC) failed: ")
    assert {a.pk: values(a.pk) for a in allocs} == before
    assert sim.stats()["active_tokens"] == 0  # logged out all the same
