"""Unsafe operations the binding refuses: moved resources, shrinking below usage, unlinked allocations."""

from __future__ import annotations

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState, ECSBinding

TB_GB = 1024


def test_a_resource_moved_to_another_cluster_is_refused_and_the_stranger_untouched(world, second_sim):
    from harness.sync import ecs_client, sync_json

    allocation = world.allocation("Moved Lab", quota_tb="2")
    world.approve(allocation)
    with ecs_client(second_sim) as other:  # a stranger's same-named namespace, 50 TB holding 30 TB
        other.create_namespace("moved-lab", replication_group_id=other.replication_group_id("rg1"))
        other.create_bucket("moved-lab", "their-bucket")
        other.set_namespace_quota("moved-lab", 50 * TB_GB, 45 * TB_GB)
    second_sim.set_usage("moved-lab", "their-bucket", 30 * 2**40)
    resource = allocation.resources.get()
    world.set_resource_attr(resource, attributes.URL, second_sim.host_port)

    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    allocation.refresh_from_db()
    assert allocation.status.name == "Renewal Requested"
    assert any("now reaches ECS cluster" in n for n in world.notes(allocation))
    report, code = sync_json()
    assert code == 1
    assert any("lives on cluster" in f["reason"] for r in report["resources"] for f in r["failures"])
    with ecs_client(second_sim) as other:
        assert other.get_namespace_quota("moved-lab").block_size_gb == 50 * TB_GB
        assert [b.name for b in other.list_buckets("moved-lab")] == ["their-bucket"]


def test_the_same_cluster_under_a_new_hostname_continues(world):
    allocation = world.allocation("Host Lab", quota_tb="1")
    world.approve(allocation)
    port = world.sim.host_port.rsplit(":", 1)[1]
    world.set_resource_attr(allocation.resources.get(), attributes.URL, f"localhost:{port}")
    world.edit_attribute(allocation, attributes.QUOTA_TB, "2")
    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    binding = ECSBinding.objects.get(allocation_id=allocation.pk)
    assert binding.endpoint == f"https://localhost:{port}"
    assert binding.state == BindingState.ACTIVE
    with world.ecs_client() as client:
        assert client.get_namespace_quota("host-lab").block_size_gb == 2 * TB_GB


def test_shrink_is_checked_against_every_bucket_in_the_namespace(world):
    allocation = world.allocation("Two Buckets", quota_tb="10")
    world.approve(allocation)
    with world.ecs_client() as client:
        client.create_bucket("two-buckets", "second-bucket")
    world.sim.set_usage("two-buckets", "lab-two-buckets-bucket", 4 * 2**40)
    world.sim.set_usage("two-buckets", "second-bucket", 3 * 2**40)

    world.edit_attribute(allocation, attributes.QUOTA_TB, "2")
    assert world.attr(allocation, attributes.QUOTA_TB) == "10"
    assert any("already holds 7 TB" in n for n in world.notes(allocation))
    with world.ecs_client() as client:
        assert client.get_namespace_quota("two-buckets").block_size_gb == 10 * TB_GB


def test_unlinked_allocation_is_listed_and_its_quota_change_reverted(world):
    from harness.sync import sync_json

    allocation = world.allocation("Legacy Lab", quota_tb="1", status="Active")
    report, code = sync_json()
    assert code == 0, report
    assert report["unlinked"] == [
        {
            "allocation_id": allocation.pk,
            "resource": allocation.resources.get().name,
            "reason": report["unlinked"][0]["reason"],
        }
    ]
    assert "ecs_link" in report["unlinked"][0]["reason"]

    world.edit_attribute(allocation, attributes.QUOTA_TB, "5")
    assert world.attr(allocation, attributes.QUOTA_TB) == "1"
    assert any("not linked" in n and "ecs_link" in n for n in world.notes(allocation))


def test_failed_change_request_goes_back_to_pending_with_the_reason(world):
    allocation = world.allocation("Pending Lab", quota_tb="4")
    world.approve(allocation)
    world.sim.set_usage("pending-lab", "lab-pending-lab-bucket", 3 * 2**40)
    change = world.request_change(allocation, "1")
    world.approve_change(change, "1")
    change.refresh_from_db()
    assert change.status.name == "Pending"
    assert "already holds 3 TB" in change.notes
    assert world.attr(allocation, attributes.QUOTA_TB) == "4"


def test_allocated_tb_sums_every_namespace_on_the_endpoint_for_every_selection(world):
    from harness.sync import resource_values, sync_json

    kept = world.allocation("Kept Lab", quota_tb="2")
    world.approve(kept)
    revoked = world.allocation("Revoked Lab", quota_tb="3")
    world.approve(revoked)
    world.set_status(revoked, "Revoked")
    with world.ecs_client() as client:  # not ColdFront's at all
        client.create_namespace("other-team", replication_group_id=client.replication_group_id("rg1"))
        client.set_namespace_quota("other-team", 5 * TB_GB, 4 * TB_GB)
    resource = kept.resources.get()

    report, code = sync_json()
    assert code == 0, report
    assert resource_values(resource)[attributes.ALLOCATED_TB] == "10"
    mine = next(r for r in report["resources"] if r["name"] == resource.name)
    assert mine["allocated_tb"] == 10
    report, code = sync_json("--resource", resource.name)
    assert resource_values(resource)[attributes.ALLOCATED_TB] == "10"
