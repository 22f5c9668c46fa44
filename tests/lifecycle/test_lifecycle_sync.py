"""Grace periods end in the scheduled sync (``ecs_sync``), and failed actions are retried there."""

from __future__ import annotations

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState
from harness.lifecycle import binding, expire_by_task, make_due, quotas, renew
from harness.sync import sync_json

GIB = 2**30
NS, BUCKET = "grace-lab", "lab-grace-lab-bucket"
NS_QUOTA_PUT = "PUT /object/namespaces/namespace/{namespace}/quota"


def _provisioned(world):
    allocation = world.allocation("Grace Lab", quota_tb="2")
    world.approve(allocation)
    world.sim.set_usage(NS, BUCKET, 2 * GIB)
    return allocation


def test_grace_period_delays_the_freeze_until_the_sync_after_it(world, settings):
    settings.ECS_ON_EXPIRE, settings.ECS_LIFECYCLE_GRACE_DAYS = "freeze", 14
    allocation = _provisioned(world)
    expire_by_task(allocation)

    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert "; freeze due " in world.attr(allocation, attributes.ECS_STATUS)
    assert any("will be frozen on" in n and "ECS_LIFECYCLE_GRACE_DAYS=14" in n for n in world.notes(allocation))
    report, code = sync_json()
    assert code == 0 and quotas(world, NS, BUCKET) == (2048, 2048)  # not due yet
    assert not [n for n in report["notes"] if "frozen" in n]

    make_due(allocation)
    report, code = sync_json()

    assert code == 0, report
    assert quotas(world, NS, BUCKET) == (2, 2)
    assert [n for n in report["notes"] if "frozen: namespace and bucket hard quotas set to 2 GB" in n]
    assert binding(allocation).state == BindingState.FROZEN


def test_return_to_active_within_the_grace_period_cancels_the_action(world, settings):
    settings.ECS_ON_EXPIRE, settings.ECS_LIFECYCLE_GRACE_DAYS = "lock", 7
    allocation = _provisioned(world)
    expire_by_task(allocation)
    renew(world, allocation)
    assert binding(allocation).lifecycle == {} and binding(allocation).lifecycle_due is None
    report, _code = sync_json()
    assert world.attr(allocation, attributes.ECS_STATUS) == "active"
    assert not [n for n in report["notes"] if "lock" in n]


def test_a_pending_action_whose_status_changed_meanwhile_is_dropped(world, settings):
    settings.ECS_ON_EXPIRE, settings.ECS_LIFECYCLE_GRACE_DAYS = "freeze", 3
    allocation = _provisioned(world)
    expire_by_task(allocation)
    make_due(allocation)
    type(allocation).objects.filter(pk=allocation.pk).update(  # a raw update: no signal at all
        status=type(allocation.status).objects.get(name="Renewal Requested")
    )
    report, _code = sync_json()
    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert [n for n in report["notes"] if "pending action dropped (status is now Renewal Requested)" in n]


def test_failed_freeze_is_visible_and_retried_by_the_next_sync(world, settings):
    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    world.fail(NS_QUOTA_PUT)
    expire_by_task(allocation)

    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert world.attr(allocation, attributes.ECS_STATUS).endswith("; freeze failed, retried by ecs_sync (see notes)")
    assert sum("freeze of the storage failed" in n for n in world.notes(allocation)) == 1
    sync_json()  # still failing: no second note for the same error
    assert sum("freeze of the storage failed" in n for n in world.notes(allocation)) == 1

    world.sim.faults(endpoints={}, kinds=[])
    sync_json()

    assert quotas(world, NS, BUCKET) == (2, 2)
    assert binding(allocation).state == BindingState.FROZEN
    assert binding(allocation).lifecycle["frozen"]["namespace_quota"] == [2048, 1843]  # the true "before"
    renew(world, allocation)
    assert quotas(world, NS, BUCKET) == (2048, 2048)


def test_failed_restore_keeps_the_freeze_and_is_retried(world, settings):
    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    expire_by_task(allocation)
    world.fail(NS_QUOTA_PUT)
    world.set_status(allocation, "Active")  # a script, or the Django admin

    assert quotas(world, NS, BUCKET) == (2, 2)
    assert binding(allocation).state == BindingState.FROZEN
    assert "restore failed" in world.attr(allocation, attributes.ECS_STATUS)
    world.sim.faults(endpoints={}, kinds=[])
    report, _code = sync_json()
    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert binding(allocation).state == BindingState.ACTIVE
    assert [n for n in report["notes"] if "restored" in n]


def test_frozen_storage_keeps_its_usage_synced_but_not_its_frozen_quota(world, settings):
    """ECS's frozen quota is the lifecycle's, not the approved one: ColdFront keeps 2 TB while usage moves."""
    from harness.sync import values

    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    expire_by_task(allocation)
    assert binding(allocation).state == BindingState.FROZEN
    world.sim.set_usage(NS, BUCKET, 3 * GIB)  # usage read while frozen (e.g. data written before the freeze)

    report, code = sync_json()

    assert code == 0, report
    tb, usage = values(allocation.pk)[attributes.QUOTA_TB]
    assert tb == "2" and usage == 3 / 1024


def _hold_quota_lease(allocation, held) -> None:
    """A quota change of the allocation is running (its lease is live)."""
    from coldfront_ecs_plugin.models import ECSBinding

    ECSBinding.objects.filter(allocation_id=allocation.pk).update(quota_lease=held)


def test_a_freeze_waits_for_a_running_quota_change_then_the_sync_applies_it(world, settings):
    """A freeze writes the quotas a quota change writes: while a change holds the lease, the freeze touches
    nothing on ECS (it would record the old quota as "before", then the change would undo the freeze) and
    stays pending with the reason; the next sync after the change ended freezes."""
    import datetime

    from django.utils import timezone

    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    _hold_quota_lease(allocation, timezone.now() + datetime.timedelta(minutes=1))  # live however slow the machine
    writes = world.sim.stats()["by_endpoint"].get(NS_QUOTA_PUT, 0)
    expire_by_task(allocation)

    assert world.sim.stats()["by_endpoint"].get(NS_QUOTA_PUT, 0) == writes
    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert binding(allocation).state == BindingState.ACTIVE
    assert world.attr(allocation, attributes.ECS_STATUS).endswith("; freeze failed, retried by ecs_sync (see notes)")
    assert any("quota change of this allocation was running" in n for n in world.notes(allocation))

    _hold_quota_lease(allocation, None)  # the change ended
    report, code = sync_json()

    assert code == 0, report
    assert quotas(world, NS, BUCKET) == (2, 2)
    assert binding(allocation).state == BindingState.FROZEN and binding(allocation).quota_lease is None


def test_a_restore_during_a_quota_change_keeps_the_freeze_until_the_sync(world, settings):
    import datetime

    from django.utils import timezone

    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    expire_by_task(allocation)
    _hold_quota_lease(allocation, timezone.now() + datetime.timedelta(minutes=1))
    world.set_status(allocation, "Active")

    assert quotas(world, NS, BUCKET) == (2, 2)
    assert "restore failed" in world.attr(allocation, attributes.ECS_STATUS)
    _hold_quota_lease(allocation, None)
    sync_json()
    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert binding(allocation).state == BindingState.ACTIVE and binding(allocation).quota_lease is None
