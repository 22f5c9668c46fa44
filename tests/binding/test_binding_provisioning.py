"""The binding: provisioning records it, renewals follow it, ECS work runs outside any lock."""

from __future__ import annotations

from coldfront_ecs_plugin import attributes, units
from coldfront_ecs_plugin.models import BindingState, ECSBinding


def _binding(allocation) -> ECSBinding:
    return ECSBinding.objects.get(allocation_id=allocation.pk)


def test_approval_records_an_active_binding_with_cluster_and_steps(world):
    allocation = world.allocation("Bound Lab", quota_tb="2")
    world.approve(allocation)

    binding = _binding(allocation)
    assert binding.state == BindingState.ACTIVE
    assert (binding.namespace, binding.bucket) == ("bound-lab", "lab-bound-lab-bucket")
    assert binding.cluster_id == world.state()["vdc"]["id"]
    assert binding.endpoint == f"https://{world.sim.host_port}"
    assert [s["step"] for s in binding.steps] == [
        "namespace_created",
        "namespace_quota",
        "bucket_created",
        "bucket_quota",
    ]
    assert binding.provisioned_at is not None
    assert world.attr(allocation, attributes.ECS_STATUS) == "active"


def test_renamed_project_keeps_its_binding_everywhere(world):
    from harness.sync import sync_json

    alpha = world.allocation("Alpha Lab", quota_tb="1")
    world.approve(alpha)
    beta = world.allocation("Beta Lab", quota_tb="7")
    world.approve(beta)
    # the Namespace attribute is deleted and Alpha is renamed to Beta's title: nothing re-derives a name
    alpha.allocationattribute_set.filter(allocation_attribute_type__name=attributes.NAMESPACE).delete()
    alpha.project.title = "Beta Lab"
    alpha.project.save()

    report, code = sync_json()
    assert code == 0, report
    assert world.attr(alpha, attributes.QUOTA_TB) == "1"
    world.set_status(alpha, "Renewal Requested")
    world.approve(alpha)
    assert world.attr(alpha, attributes.NAMESPACE) == "alpha-lab"  # the mirror is restored from the binding


def test_renewal_never_changes_ecs_quotas_and_says_when_they_disagree(world):
    allocation = world.allocation("Raised Lab", quota_tb="2")
    world.approve(allocation)
    with world.ecs_client() as client:  # an out-of-band raise to 10 TB, with 8 TB stored
        client.set_namespace_quota("raised-lab", 10240, 9216)
    world.sim.set_usage("raised-lab", "lab-raised-lab-bucket", 8 * 2**40)

    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)

    with world.ecs_client() as client:
        assert client.get_namespace_quota("raised-lab").block_size_gb == 10240
    assert allocation.status.name == "Active"
    [note] = world.notes(allocation)
    assert "ECS enforces 10 TB" in note and "Both were left as they are" in note


def test_zero_point_three_tb_is_stored_as_the_bytes_ecs_enforces_and_never_rewritten(world):
    from harness.sync import sync_json

    allocation = world.allocation("Point Lab", quota_tb="0.3")
    world.approve(allocation)
    assert world.attr(allocation, attributes.QUOTA_BYTES) == str(307 * 2**30) == "329638739968"
    report, code = sync_json()
    assert code == 0, report
    assert world.attr(allocation, attributes.QUOTA_TB) == "0.3"
    assert not [c for r in report["resources"] for c in r["changes"] if c["name"] == attributes.QUOTA_TB]


def test_direct_edit_of_quota_in_bytes_is_reverted_with_a_note(world):
    allocation = world.allocation("Bytes Lab", quota_tb="1")
    world.approve(allocation)
    world.edit_attribute(allocation, attributes.QUOTA_BYTES, "5")
    assert world.attr(allocation, attributes.QUOTA_BYTES) == str(units.quota_bytes(1))
    assert any(attributes.QUOTA_TB in note and "cannot be edited" in note for note in world.notes(allocation))


def test_a_compute_resource_with_ecs_in_its_name_is_never_touched(world):
    from coldfront.core.resource.models import ResourceType

    resource = world.resource("RecSys GPU Cluster")
    resource.resource_type = ResourceType.objects.get(name="Cluster")
    resource.save()
    allocation = world.allocation("GPU Lab", resource=resource)
    world.approve(allocation)
    assert allocation.status.name == "Active"
    assert world.namespaces() == []
    assert world.notes(allocation) == []
    assert not ECSBinding.objects.filter(allocation_id=allocation.pk).exists()


def test_renamed_ecs_resource_still_takes_quota_changes(world):
    allocation = world.allocation("Rename Lab", quota_tb="1")
    world.approve(allocation)
    resource = allocation.resources.get()
    resource.name = "Object Store"  # no longer contains "ecs"
    resource.save()
    world.edit_attribute(allocation, attributes.QUOTA_TB, "3")
    with world.ecs_client() as client:
        assert client.get_namespace_quota("rename-lab").block_size_gb == 3072


def test_two_ecs_resources_on_one_allocation_sync_once_without_failures(world):
    from harness.sync import sync_json

    allocation = world.allocation("Twin Lab", quota_tb="1")
    world.approve(allocation)
    allocation.resources.add(world.resource("ECS-second"))
    report, code = sync_json()
    assert code == 0, report
    synced = [r for r in report["resources"] if r["allocations"]]
    assert [r["allocations"] for r in synced] == [1]
    assert report["unlinked"] == []
