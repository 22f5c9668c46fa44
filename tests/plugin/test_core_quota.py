"""Quota changes on stock ColdFront: change-request approval and the admin attribute-edit page."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes, conf
from harness.endpoints import BUCKET_QUOTA, NS_QUOTA


def _quotas(world, namespace: str, bucket: str) -> tuple[int, int]:
    from coldfront_ecs_plugin.connections import client_for_endpoint

    with client_for_endpoint(f"https://{world.sim.host_port}", conf.load()) as client:
        return (
            client.get_namespace_quota(namespace).block_size_gb,
            client.get_bucket_quota(namespace, bucket).block_size_gb,
        )


@pytest.fixture
def provisioned(world):
    allocation = world.allocation("Quota Lab", quota_tb="2")
    world.approve(allocation)
    assert allocation.status.name == "Active"
    return allocation


def test_change_request_approval_grows_namespace_and_bucket(world, provisioned):
    change = world.request_change(provisioned, "5")
    world.approve_change(change, "5")

    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (5120, 5120)
    assert world.attr(provisioned, attributes.QUOTA_TB) == "5"
    assert world.attr(provisioned, attributes.QUOTA_BYTES) == str(5 * 2**40)
    assert world.notes(provisioned) == []


def test_growth_reads_no_usage_and_shrink_does(world, provisioned):
    """Only a shrink can cut below usage, so only a shrink pays for the billing read."""
    billing = "GET /object/billing/namespace/{namespace}/info"  # the whole namespace: every bucket counts
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "4")
    assert world.sim.stats()["by_endpoint"].get(billing, 0) == 0
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "3")
    assert world.sim.stats()["by_endpoint"].get(billing, 0) == 1
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (3072, 3072)


def test_attribute_edit_view_changes_quota(world, provisioned):
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "0.5")
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (512, 512)
    assert world.attr(provisioned, attributes.QUOTA_BYTES) == str(2**39)


def test_shrink_below_usage_is_refused_and_value_restored(world, provisioned):
    world.sim.set_usage("quota-lab", "lab-quota-lab-bucket", int(1.5 * 2**40))
    change = world.request_change(provisioned, "1")
    world.approve_change(change, "1")

    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (2048, 2048)
    assert world.attr(provisioned, attributes.QUOTA_TB) == "2"
    [note] = world.notes(provisioned)
    assert "refusing to shrink" in note and "put back to 2" in note
    assert "sampled by ECS up to" in note and "usage may lag" in note


def test_bucket_failure_rolls_namespace_back(world, provisioned):
    world.fail(BUCKET_QUOTA)
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "3")
    world.sim.faults()

    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (2048, 2048)
    assert world.attr(provisioned, attributes.QUOTA_TB) == "2"
    assert world.attr(provisioned, attributes.QUOTA_BYTES) == str(2 * 2**40)
    assert "namespace quota was put back" in world.notes(provisioned)[0]


def test_namespace_failure_changes_nothing(world, provisioned):
    world.fail(NS_QUOTA)
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "3")
    world.sim.faults()
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (2048, 2048)
    assert world.attr(provisioned, attributes.QUOTA_TB) == "2"


def test_zero_quota_refused(world, provisioned):
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "0")
    assert world.attr(provisioned, attributes.QUOTA_TB) == "2"
    assert "greater than 0" in world.notes(provisioned)[0]


def test_unprovisioned_allocation_is_left_alone(world):
    allocation = world.allocation("Pending Lab", quota_tb="1")
    world.edit_attribute(allocation, attributes.QUOTA_TB, "7")
    assert world.attr(allocation, attributes.QUOTA_TB) == "7"
    assert world.namespaces() == []
    assert world.notes(allocation) == []
    world.approve(allocation)
    assert _quotas(world, "pending-lab", "lab-pending-lab-bucket") == (7168, 7168)


def test_other_attributes_are_ignored(world, provisioned):
    before = world.sim.stats()["by_endpoint"].get(NS_QUOTA)
    world.edit_attribute(provisioned, attributes.QUOTA_BYTES, "123")
    assert world.sim.stats()["by_endpoint"].get(NS_QUOTA) == before


def test_facade_change_namespace_quota(world, provisioned):
    from coldfront_ecs_plugin.utils import ECSResourceManager

    manager = ECSResourceManager(provisioned.get_parent_resource)
    manager.change_namespace_quota("quota-lab", 3)
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (3072, 3072)
    assert world.attr(provisioned, attributes.QUOTA_TB) == "3"
    assert manager.replication_group_id_from_name("rg1").startswith("urn:storageos:")
    with pytest.raises(ValueError):
        manager.replication_group_id_from_name(" ")


def test_facade_on_unrecorded_namespace_changes_ecs_directly(world):
    from coldfront_ecs_plugin.connections import client_for_endpoint
    from coldfront_ecs_plugin.utils import ECSResourceManager

    with client_for_endpoint(f"https://{world.sim.host_port}", conf.load()) as client:
        client.create_namespace("manual-ns", replication_group_id=client.replication_group_id("rg1"))
        client.create_bucket("manual-ns", "manual-bucket", replication_group_id=client.replication_group_id("rg1"))
    ECSResourceManager(world.resource()).change_namespace_quota("manual-ns", 1)
    assert _quotas(world, "manual-ns", "manual-bucket") == (1024, 1024)


def test_renewal_requested_allocation_still_gets_quota_changes(world, provisioned):
    world.set_status(provisioned, "Renewal Requested")
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "3")
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (3072, 3072)


def test_facade_update_resource_usage(world):
    from coldfront_ecs_plugin.services import records
    from coldfront_ecs_plugin.utils import ECSResourceManager

    resource = world.resource()
    world.sim.set_capacity(total_provisioned_gb=20480, total_free_gb=10240)
    ECSResourceManager(resource).update_resource_usage()
    assert float(records.resource_value(resource, attributes.CAPACITY_TB)) == 20.0
    assert float(records.resource_value(resource, attributes.USED_TB)) == 10.0


def _quota_row(allocation, name=attributes.QUOTA_TB):
    from coldfront.core.allocation.models import AllocationAttribute

    return AllocationAttribute.objects.get(allocation=allocation, allocation_attribute_type__name=name)


def test_a_quota_that_is_not_a_number_is_put_back_with_a_note(world, provisioned):
    """What the attribute-edit receiver does with a value ColdFront let through (ColdFront's own
    forms refuse most; an import or the Django admin does not)."""
    from coldfront_ecs_plugin import signals

    row = _quota_row(provisioned)
    row.value = "lots"
    row.save()  # a history row, as any edit leaves
    writes = {k: v for k, v in world.sim.stats()["by_endpoint"].items() if not k.startswith("GET ")}

    signals.on_allocation_attribute_changed(None, attribute_pk=row.pk, allocation_pk=provisioned.pk)

    assert world.attr(provisioned, attributes.QUOTA_TB) == "2"
    [note] = world.notes(provisioned)
    assert note == (
        f"ECS: changing {attributes.QUOTA_TB} failed; the value was put back to 2. Reason: 'lots' is not a number of TB"
    )
    assert {k: v for k, v in world.sim.stats()["by_endpoint"].items() if not k.startswith("GET ")} == writes
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (2048, 2048)


def test_other_attributes_and_other_resources_are_left_to_coldfront(world, provisioned):
    from coldfront_ecs_plugin import signals

    isilon = world.allocation("Isilon Lab", quota_tb="1", status="Active", resource=world.resource("Isilon Tier 1"))
    before = world.sim.stats()["requests"]
    for allocation, name in ((provisioned, attributes.NAMESPACE), (isilon, attributes.QUOTA_TB)):
        row = _quota_row(allocation, name)
        signals.on_allocation_attribute_changed(None, attribute_pk=row.pk, allocation_pk=allocation.pk)
    assert world.sim.stats()["requests"] == before  # ECS is not asked
    assert world.notes(provisioned) == [] and world.notes(isilon) == []


def test_a_first_quota_that_is_not_a_number_has_nothing_to_go_back_to(world):
    from coldfront_ecs_plugin import signals

    allocation = world.allocation("Typo Lab", quota_tb="lots")  # its only value, ever
    row = _quota_row(allocation)
    signals.on_allocation_attribute_changed(None, attribute_pk=row.pk, allocation_pk=allocation.pk)
    assert world.notes(allocation) == [
        f"ECS: changing {attributes.QUOTA_TB} to lots failed (no previous value to restore). "
        "Reason: 'lots' is not a number of TB"
    ]


# -- the quota lease: one change of an allocation at a time (services/bindings, services/quota) ----------


def _lease(allocation, when) -> None:
    from coldfront_ecs_plugin.models import ECSBinding

    ECSBinding.objects.filter(allocation_id=allocation.pk).update(quota_lease=when)


def _lease_of(allocation):
    from coldfront_ecs_plugin.models import ECSBinding

    return ECSBinding.objects.get(allocation_id=allocation.pk).quota_lease


def test_change_while_another_holds_the_lease_waits_then_is_put_back(world, provisioned, settings):
    """A live lease that outlasts the wait (0.8 x ECS_PROVISION_DEADLINE): ECS is not touched, the value is put
    back with the reason, and the other change's lease is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    settings.ECS_PROVISION_DEADLINE = 1
    held = timezone.now() + timedelta(minutes=1)  # taken "now", dated ahead so it stays live on a slow machine
    _lease(provisioned, held)
    before = world.sim.stats()["by_endpoint"].get(NS_QUOTA, 0)
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "5")

    assert world.sim.stats()["by_endpoint"].get(NS_QUOTA, 0) == before
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (2048, 2048)
    assert world.attr(provisioned, attributes.QUOTA_TB) == "2"
    [note] = world.notes(provisioned)
    assert "another quota change" in note and "still running" in note
    assert _lease_of(provisioned) == held


def test_stale_lease_of_a_dead_change_is_taken_over(world, provisioned, settings):
    """A lease older than 2 x ECS_PROVISION_DEADLINE belongs to a change that died: the next change runs."""
    from datetime import timedelta

    from django.utils import timezone

    settings.ECS_PROVISION_DEADLINE = 1
    _lease(provisioned, timezone.now() - timedelta(seconds=3))
    world.edit_attribute(provisioned, attributes.QUOTA_TB, "5")

    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (5120, 5120)
    assert world.attr(provisioned, attributes.QUOTA_BYTES) == str(5 * 2**40)
    assert world.notes(provisioned) == [] and _lease_of(provisioned) is None


def test_ecs_sync_releases_the_lease_of_a_dead_change(world, provisioned, settings):
    from datetime import timedelta

    from django.utils import timezone

    from harness.sync import sync_json

    settings.ECS_PROVISION_DEADLINE = 1
    _lease(provisioned, timezone.now() - timedelta(seconds=3))
    report, status = sync_json()

    assert status == 0, report
    assert f"allocation {provisioned.pk}: an interrupted quota change's lease was released" in str(report)
    assert _lease_of(provisioned) is None


def test_saving_a_binding_read_earlier_keeps_the_lease(world, provisioned):
    """Only the lease's own UPDATEs write it: a binding read before a change began, saved afterwards
    (a renewal's check, a lifecycle step), neither clears it nor puts an old one back."""
    from django.utils import timezone

    from coldfront_ecs_plugin.models import ECSBinding

    binding = ECSBinding.objects.get(allocation_id=provisioned.pk)
    held = timezone.now()
    _lease(provisioned, held)
    binding.last_error = "saved from an older read"
    binding.save()
    assert _lease_of(provisioned) == held
    binding.refresh_from_db()
    _lease(provisioned, None)
    binding.save()
    assert _lease_of(provisioned) is None


def test_change_during_a_provisioning_run_waits_for_it_then_applies(world, provisioned, monkeypatch):
    """The binding is ``provisioning`` (a re-run): the change waits for it to become active, then applies,
    instead of leaving ColdFront's new value to a run that planned with the old one."""
    from django.utils import timezone

    from coldfront_ecs_plugin.models import ECSBinding
    from coldfront_ecs_plugin.services import bindings, quota

    ECSBinding.objects.filter(allocation_id=provisioned.pk).update(state="provisioning", updated=timezone.now())
    looks: list[float] = []
    sleep = bindings.time.sleep

    def run_finishes(seconds: float) -> None:  # the provisioning run completes while the change waits
        looks.append(seconds)
        ECSBinding.objects.filter(allocation_id=provisioned.pk).update(state="active")
        sleep(seconds)

    clock = type("Clock", (), {"monotonic": bindings.time.monotonic, "sleep": run_finishes})
    monkeypatch.setattr(bindings, "time", clock)  # the wait (bindings.wait_while_busy) sleeps here
    quota.change_quota(provisioned.pk, 5.0)

    assert len(looks) == 1
    assert _quotas(world, "quota-lab", "lab-quota-lab-bucket") == (5120, 5120)
    assert world.attr(provisioned, attributes.QUOTA_BYTES) == str(5 * 2**40)
