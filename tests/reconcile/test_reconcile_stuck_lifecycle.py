"""``ecs_reconcile``: stuck provisioning resumed by ``--apply``; storage whose lifecycle action never ran."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from coldfront_ecs_plugin.models import BindingState, ECSBinding
from harness.sync import ecs_client, make_allocations, provision_on_sim

from .test_reconcile import run


@pytest.fixture
def cluster(db, sim):
    from coldfront_ecs_plugin import attributes
    from harness.sync import ensure_types, make_resource
    from harness.world import set_resource_attr

    ensure_types()
    resource = make_resource("ECS reconcile cluster", sim.host_port)
    set_resource_attr(resource, attributes.REPLICATION_GROUP, "rg1")
    return resource


def test_apply_resumes_a_failed_provisioning_of_an_active_allocation(cluster, sim):
    [alloc] = make_allocations(cluster, 1, quota_tb="1")
    binding = ECSBinding.objects.get(allocation_id=alloc.pk)
    # a run that failed before creating anything: nothing of it is on ECS
    ECSBinding.objects.filter(pk=binding.pk).update(
        state=BindingState.FAILED,
        steps=[],
        last_error="ECS was down",
        updated=timezone.now() - datetime.timedelta(hours=1),
    )

    report, status = run()
    assert status == 1
    [stuck] = [d for d in report["drift"] if d["kind"] == "stuck"]
    assert stuck["allocation_id"] == alloc.pk and "ECS was down" in stuck["detail"]

    report, status = run("--apply")
    [stuck] = [d for d in report["drift"] if d["kind"] == "stuck"]
    assert stuck["fixed"] is True, stuck
    binding.refresh_from_db()
    assert binding.state == BindingState.ACTIVE
    assert sim.control("GET", "/_sim/state")["buckets"][alloc.namespace] is not None


def test_expired_storage_not_frozen_as_configured_is_drift(cluster, sim, settings):
    from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

    [alloc] = make_allocations(cluster, 1, quota_tb="2")
    provision_on_sim(sim, [alloc], quota_gb=2048, bucket_quota=True)
    settings.ECS_ON_EXPIRE = "freeze"
    # a raw update sends no signal: the freeze never ran
    Allocation.objects.filter(pk=alloc.pk).update(status=AllocationStatusChoice.objects.get(name="Expired"))

    report, status = run()

    assert status == 1
    [drift] = [d for d in report["drift"] if d["kind"] == "lifecycle"]
    assert drift["allocation_id"] == alloc.pk and "freeze" in drift["detail"]


def test_a_run_in_progress_is_not_stuck(cluster, sim):
    [alloc] = make_allocations(cluster, 1, quota_tb="1")
    ECSBinding.objects.filter(allocation_id=alloc.pk).update(state=BindingState.PROVISIONING, updated=timezone.now())
    report, status = run()
    assert [d for d in report["drift"] if d["allocation_id"] == alloc.pk] == []
    assert status == 0, report


def test_expired_storage_not_locked_as_configured_is_drift_and_frozen_storage_is_not(cluster, sim, settings):
    from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

    locked, frozen = make_allocations(cluster, 2, quota_tb="2")
    provision_on_sim(sim, [locked, frozen], quota_gb=2048, bucket_quota=True, usage_bytes=3 * 2**30)
    expired = AllocationStatusChoice.objects.get(name="Expired")
    Allocation.objects.filter(pk__in=[locked.pk, frozen.pk]).update(status=expired)

    settings.ECS_ON_EXPIRE = "lock"
    report, status = run()
    assert status == 1
    assert [(d["allocation_id"], d["detail"]) for d in report["drift"] if d["kind"] == "lifecycle"] == [
        (locked.pk, "allocation is Expired and ECS_ON_* says lock, but the bucket is not locked"),
        (frozen.pk, "allocation is Expired and ECS_ON_* says lock, but the bucket is not locked"),
    ]

    with ecs_client(sim) as client:  # frozen at its usage, as the freeze leaves it: 3 GB
        client.set_namespace_quota(frozen.namespace, 3, 3)
    settings.ECS_ON_EXPIRE = "freeze"
    report, _status = run()
    assert [d["allocation_id"] for d in report["drift"] if d["kind"] == "lifecycle"] == [locked.pk]


def test_settings_and_unreadable_bindings_exit_2_with_the_reason(cluster, sim, settings):
    [alloc] = make_allocations(cluster, 1, quota_tb="1")
    provision_on_sim(sim, [alloc], quota_gb=1024, bucket_quota=True)
    sim.faults(endpoints={"GET /object/namespaces/namespace/{namespace}/quota": 1.0}, kinds=["500"])
    try:
        report, status = run()
    finally:
        sim.faults()
    assert status == 2
    [error] = report["errors"]
    assert error.startswith(f"allocation {alloc.pk} ({alloc.namespace}/{alloc.bucket}): could not check: ")

    settings.ECS_CLIENT_VERSION = "9"
    report, status = run()
    assert status == 2 and report["errors"] == ["settings: ECS_CLIENT_VERSION must be '2', '3' or '4', got '9'"]


def test_an_unreadable_coldfront_quota_is_drift_that_apply_leaves(cluster, sim):
    from coldfront.core.allocation.models import Allocation

    from coldfront_ecs_plugin import attributes
    from harness.world import set_attr

    [alloc] = make_allocations(cluster, 1, quota_tb="1")
    provision_on_sim(sim, [alloc], quota_gb=1024, bucket_quota=True)
    set_attr(Allocation.objects.get(pk=alloc.pk), attributes.QUOTA_TB, "lots")
    report, status = run("--apply")
    [drift] = report["drift"]
    assert (
        drift["kind"] == "quota_mismatch" and drift["detail"] == "ColdFront 'lots', namespace 1.00 TB, bucket 1.00 TB"
    )
    assert not drift["fixable"] and not drift["fixed"] and status == 1
