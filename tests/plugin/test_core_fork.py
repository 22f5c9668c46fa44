"""The FASRC fork's contract (allocation_autocreate / allocation_autoupdate) through the shim."""

from __future__ import annotations

from coldfront_ecs_plugin import attributes
from harness.endpoints import BUCKET_CREATE, NS_CREATE


def test_autocreate_provisions_before_save_and_returns_ecs(fork, world):
    resource = world.resource()
    allocation = world.allocation("Fork Lab", resource=resource, status="Pending", quota_tb="2")
    result = fork.approve_with_autocreate(allocation, resource)

    assert result.ok, result.error
    assert result.replies == ["ecs"]
    allocation.refresh_from_db()
    assert allocation.status.name == "Active"
    assert world.buckets() == {"fork-lab": ["lab-fork-lab-bucket"]}
    assert world.attr(allocation, attributes.NAMESPACE) == "fork-lab"
    # allocation_activate that follows on the fork does not provision a second time
    assert world.sim.stats()["by_endpoint"][NS_CREATE] == 1


def test_nfs_share_makes_a_filesystem_bucket(fork, world):
    resource = world.resource()
    allocation = world.allocation("NFS Lab", resource=resource, status="Pending")
    assert fork.approve_with_autocreate(allocation, resource, automation=["nfs_share"]).ok
    bucket = world.state()["buckets"]["nfs-lab"]["lab-nfs-lab-bucket"]
    assert bucket["fs_access_enabled"] is True


def test_unsupported_automation_refused_before_any_ecs_write(fork, world):
    resource = world.resource()
    allocation = world.allocation("Snap Lab", resource=resource, status="Pending")
    result = fork.approve_with_autocreate(allocation, resource, automation=["nfs_share", "snapshots", "cifs_share"])

    assert not result.ok
    assert "cifs_share, snapshots" in result.error
    allocation.refresh_from_db()
    assert allocation.status.name == "Pending"
    assert world.namespaces() == []
    assert NS_CREATE not in world.sim.stats()["by_endpoint"]


def test_failure_raises_value_error_and_leaves_nothing(fork, world):
    world.fail(BUCKET_CREATE)
    resource = world.resource()
    allocation = world.allocation("Broken Lab", resource=resource, status="Pending")
    result = fork.approve_with_autocreate(allocation, resource)
    world.sim.faults()

    assert "ECS provisioning failed" in result.error and "create bucket" in result.error
    assert world.namespaces() == []
    allocation.refresh_from_db()
    assert allocation.status.name == "Pending"
    assert world.notes(allocation) == []  # the fork shows the message itself
    assert fork.approve_with_autocreate(allocation, resource).ok


def test_autocreate_ignores_other_resources(fork, world):
    resource = world.resource("Isilon Tier 1")
    allocation = world.allocation("Isilon Lab", resource=resource, status="Pending")
    result = fork.approve_with_autocreate(allocation, resource)
    assert result.replies == [] and "no automated creation" in result.error
    assert world.namespaces() == []


def test_fork_size_is_used_when_no_quota_attribute(fork, world, monkeypatch):
    from coldfront.core.allocation.models import Allocation

    monkeypatch.setattr(Allocation, "size", property(lambda self: 3), raising=False)
    resource = world.resource()
    allocation = world.allocation("Size Lab", resource=resource, status="Pending")
    assert fork.approve_with_autocreate(allocation, resource).ok
    assert world.attr(allocation, attributes.QUOTA_TB) == "3"


def test_autoupdate_changes_namespace_and_bucket_quota(fork, world):
    from coldfront_ecs_plugin import conf
    from coldfront_ecs_plugin.connections import client_for_endpoint

    resource = world.resource()
    allocation = world.allocation("Grow Lab", resource=resource, status="Pending", quota_tb="1")
    assert fork.approve_with_autocreate(allocation, resource).ok
    result = fork.approve_with_autoupdate(allocation, "4")

    assert result.replies == ["ecs"]
    with client_for_endpoint(f"https://{world.sim.host_port}", conf.load()) as client:
        assert client.get_namespace_quota("grow-lab").block_size_gb == 4096
        assert client.get_bucket_quota("grow-lab", "lab-grow-lab-bucket").block_size_gb == 4096
    assert world.attr(allocation, attributes.QUOTA_BYTES) == str(4 * 2**40)


def test_autoupdate_refuses_shrink_below_usage(fork, world):
    resource = world.resource()
    allocation = world.allocation("Full Lab", resource=resource, status="Pending", quota_tb="4")
    assert fork.approve_with_autocreate(allocation, resource).ok
    world.sim.set_usage("full-lab", "lab-full-lab-bucket", 2 * 2**40 + 1)
    result = fork.approve_with_autoupdate(allocation, "2")
    assert "refusing to shrink" in result.error


def test_autoupdate_ignores_other_resources_and_refuses_an_unlinked_allocation(fork, world):
    isilon = world.resource("Isilon Tier 1")
    other = world.allocation("Isilon Lab", resource=isilon, status="Active", quota_tb="1")
    result = fork.approve_with_autoupdate(other, "2")
    assert result.replies == [] and "no automated update options" in result.error

    unlinked = world.allocation("Unlinked Lab", status="Active", quota_tb="1")  # on ECS, never provisioned
    result = fork.approve_with_autoupdate(unlinked, "2")
    assert "ECS quota update failed for allocation" in result.error
    assert "it is not linked to ECS storage; link it with manage.py ecs_link" in result.error
    assert world.namespaces() == []
