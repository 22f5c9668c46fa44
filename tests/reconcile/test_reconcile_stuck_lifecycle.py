"""``ecs_reconcile``: stuck provisioning resumed by ``--apply``; storage whose lifecycle action never ran."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from coldfront_ecs_plugin.models import BindingState, ECSBinding
from harness.sync import make_allocations, provision_on_sim

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
