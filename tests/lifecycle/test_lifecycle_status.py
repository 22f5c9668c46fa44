"""Each status change on each path, with none, freeze and lock; renewal restores exactly what was changed."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes, conf
from coldfront_ecs_plugin.models import BindingState
from coldfront_ecs_plugin.services import lifecycle
from harness.lifecycle import binding, ecs_writes, expire_by_task, locked, quotas, renew, set_status_in_view

GIB = 2**30
NS, BUCKET = "life-lab", "lab-life-lab-bucket"


def _provisioned(world, tb: str = "2", used_bytes: int = 3 * GIB + 5):
    allocation = world.allocation("Life Lab", quota_tb=tb)
    world.approve(allocation)
    world.sim.set_usage(NS, BUCKET, used_bytes, objects=7)
    return allocation


def test_expiry_by_coldfronts_task_freezes_at_usage_and_renewal_restores_exactly(world, settings):
    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    assert quotas(world, NS, BUCKET) == (2048, 2048)

    expire_by_task(allocation)

    assert quotas(world, NS, BUCKET) == (4, 4)  # 3 GiB + 5 bytes, rounded up to the next GB
    row = binding(allocation)
    assert row.state == BindingState.FROZEN
    assert row.lifecycle["frozen"]["namespace_quota"] == [2048, 1843]
    assert world.attr(allocation, attributes.ECS_STATUS).startswith("frozen since ")
    assert "quota held at 4 GB" in world.attr(allocation, attributes.ECS_STATUS)
    assert any("frozen: namespace and bucket hard quotas set to 4 GB" in n for n in world.notes(allocation))
    assert world.buckets() == {NS: [BUCKET]}  # nothing deleted

    renew(world, allocation)

    with world.ecs_client() as client:
        restored = client.get_namespace_quota(NS)
    assert (restored.block_size_gb, restored.notification_size_gb) == (2048, 1843)
    assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert binding(allocation).state == BindingState.ACTIVE and binding(allocation).lifecycle == {}
    assert world.attr(allocation, attributes.ECS_STATUS) == "active"
    assert any("Active again: storage restored" in n for n in world.notes(allocation))


@pytest.mark.parametrize("status", ["Revoked", "Denied"])
def test_revoked_or_denied_in_the_admin_view_locks_the_bucket_and_approval_unlocks(world, settings, status):
    settings.ECS_ON_REVOKE = "lock"
    allocation = _provisioned(world)

    set_status_in_view(world, allocation, status)

    assert locked(world, NS, BUCKET) is True
    assert quotas(world, NS, BUCKET) == (2048, 2048)  # a lock leaves the quotas alone
    assert binding(allocation).state == BindingState.LOCKED
    assert world.attr(allocation, attributes.ECS_STATUS).startswith("locked since ")
    world.approve(allocation)
    assert locked(world, NS, BUCKET) is False
    assert binding(allocation).state == BindingState.ACTIVE


def test_revoke_by_script_freezes_once_even_with_allocation_disable_after(world, settings):
    """A script (or the Django admin) saves the model: the model signal handles it; the view's
    ``allocation_disable`` for the same change does nothing more."""
    from coldfront.core.allocation.signals import allocation_disable

    settings.ECS_ON_REVOKE = "freeze"
    allocation = _provisioned(world)
    world.set_status(allocation, "Revoked")
    allocation_disable.send(sender=None, allocation_pk=allocation.pk)

    assert quotas(world, NS, BUCKET) == (4, 4)
    assert sum("set to 4 GB" in n for n in world.notes(allocation)) == 1


def test_none_changes_nothing_on_ecs(world):
    allocation = _provisioned(world)
    before = ecs_writes(world)
    expire_by_task(allocation)
    set_status_in_view(world, allocation, "Revoked")

    assert quotas(world, NS, BUCKET) == (2048, 2048) and locked(world, NS, BUCKET) is False
    assert binding(allocation).state == BindingState.ACTIVE
    assert world.attr(allocation, attributes.ECS_STATUS) == "active"
    assert ecs_writes(world) == before


def test_django_admin_transaction_defers_ecs_work_to_the_commit(world, settings):
    """The Django admin saves inside a transaction: ECS is not called until it commits."""
    from django.db import transaction

    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    with transaction.atomic():
        world.set_status(allocation, "Expired")
        assert quotas(world, NS, BUCKET) == (2048, 2048)
    assert quotas(world, NS, BUCKET) == (4, 4)


def test_expired_then_revoked_adds_the_lock_and_renewal_undoes_both(world, settings):
    settings.ECS_ON_EXPIRE, settings.ECS_ON_REVOKE = "freeze", "lock"
    allocation = _provisioned(world)
    expire_by_task(allocation)
    set_status_in_view(world, allocation, "Revoked")
    assert quotas(world, NS, BUCKET) == (4, 4) and locked(world, NS, BUCKET) is True
    assert binding(allocation).state == BindingState.LOCKED

    world.approve(allocation)

    assert quotas(world, NS, BUCKET) == (2048, 2048) and locked(world, NS, BUCKET) is False
    assert binding(allocation).state == BindingState.ACTIVE


def test_restore_is_never_below_usage_and_keeps_an_admins_own_change(world, settings):
    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world, tb="0.001", used_bytes=GIB // 2)  # 1 GB quota, half used
    expire_by_task(allocation)
    assert quotas(world, NS, BUCKET) == (1, 1)
    with world.ecs_client() as client:  # the admin raises the bucket by hand; data grows out of band
        client.set_bucket_quota(NS, BUCKET, 50, 40)
    world.sim.set_usage(NS, BUCKET, 9 * GIB)

    renew(world, allocation)

    assert quotas(world, NS, BUCKET) == (9, 50)
    restored = [n for n in world.notes(allocation) if "storage restored" in n]
    assert len(restored) == 1, world.notes(allocation)
    assert "below what it now holds" in restored[0] and "changed on ECS since the freeze" in restored[0]


def test_unprovisioned_allocation_is_ignored(world, settings):
    settings.ECS_ON_EXPIRE = "freeze"
    allocation = world.allocation("Never Lab", quota_tb="1")
    world.set_status(allocation, "Expired")
    assert world.namespaces() == [] and not world.notes(allocation)


def test_a_freeze_that_cannot_identify_the_cluster_stays_pending_and_is_noted_once(world, settings):
    settings.ECS_ON_EXPIRE = "freeze"
    allocation = _provisioned(world)
    world.fail("GET /object/vdcs/vdc/local")
    try:
        expire_by_task(allocation)
        lifecycle.apply_due(conf.load())  # the sync's retry fails the same way: no second note
    finally:
        world.sim.faults()
    failed = [n for n in world.notes(allocation) if "freeze of the storage failed" in n]
    assert len(failed) == 1 and "could not identify the ECS cluster" in failed[0]
    assert failed[0].endswith("Nothing was deleted; the next ecs_sync (scheduled or by hand) tries again")
    assert binding(allocation).lifecycle["pending"]["attempts"] == 2
    assert quotas(world, NS, BUCKET) == (2048, 2048)


def test_the_same_status_change_seen_twice_is_handled_once(world, settings):
    settings.ECS_ON_EXPIRE, settings.ECS_LIFECYCLE_GRACE_DAYS = "freeze", 7
    allocation = _provisioned(world)
    expire_by_task(allocation)
    lifecycle.status_changed(allocation.pk, "Active", "Expired")  # e.g. a second signal for the same change
    assert sum("will be frozen on" in n for n in world.notes(allocation)) == 1

    settings.ECS_ON_REVOKE = "none"  # then revoked, where nothing is to be done: the pending freeze goes
    lifecycle.status_changed(allocation.pk, "Expired", "Revoked")
    assert "pending" not in binding(allocation).lifecycle
    assert quotas(world, NS, BUCKET) == (2048, 2048)


def test_a_lifecycle_failure_in_a_receiver_is_logged_not_raised(world, caplog):
    def broken(*args):
        raise RuntimeError("lifecycle exploded")

    lifecycle.run_safely(broken, 1)
    assert "ECS lifecycle handling failed (broken)" in caplog.text and "lifecycle exploded" in caplog.text
