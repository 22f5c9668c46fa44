"""The quota service against the simulator: every ECS failure is a QuotaChangeError naming what failed,
and a half-applied change is put back (or says that it could not be)."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import conf
from coldfront_ecs_plugin.models import ECSBinding
from coldfront_ecs_plugin.services import quota
from harness.endpoints import BUCKET_QUOTA, LOCAL_VDC
from harness.sync import GIB, ecs_client

NS, BUCKET = "q-lab", "q-lab-bucket"
NS_QUOTA_DELETE = "DELETE /object/namespaces/namespace/{namespace}/quota"


@pytest.fixture
def ecs(sim):
    with ecs_client(sim) as c:
        c.create_namespace(NS, replication_group_id=c.replication_group_id("rg1"))
        c.create_bucket(NS, BUCKET)
        yield c
    sim.faults()


def quotas(client) -> tuple[int | None, int | None]:
    ns, bucket = client.get_namespace_quota(NS), client.get_bucket_quota(NS, BUCKET)
    return (None if ns.unlimited else ns.block_size_gb), (None if bucket.unlimited else bucket.block_size_gb)


def apply(client, tb: float, namespace: str = NS):
    return quota.apply_quota(client, namespace, [BUCKET], tb, conf.load())


def test_a_missing_or_unreadable_namespace_is_named(ecs, sim):
    with pytest.raises(quota.QuotaChangeError, match="namespace 'elsewhere' does not exist on ECS"):
        apply(ecs, 1, "elsewhere")
    sim.faults(endpoints={"GET /object/namespaces/namespace/{namespace}/quota": 1.0}, kinds=["500"])
    with pytest.raises(quota.QuotaChangeError, match="could not read the quota of namespace 'q-lab'"):
        apply(ecs, 1)


def test_a_shrink_whose_usage_cannot_be_read_is_refused(ecs, sim):
    ecs.set_namespace_quota(NS, 2048, 1800)
    sim.set_usage(NS, BUCKET, GIB, 1)
    sim.faults(endpoints={"GET /object/billing/namespace/{namespace}/info": 1.0}, kinds=["500"])
    with pytest.raises(quota.QuotaChangeError, match="could not read the usage of namespace 'q-lab' from ECS billing"):
        apply(ecs, 1)
    assert quotas(ecs) == (2048, None)


def test_a_failed_bucket_quota_puts_back_no_namespace_quota(ecs, sim):
    sim.faults(endpoints={BUCKET_QUOTA: 1.0}, kinds=["500"])
    with pytest.raises(quota.QuotaChangeError) as raised:
        apply(ecs, 1)
    assert str(raised.value).startswith(f"failed to set the quota of bucket {BUCKET!r}: ")
    assert str(raised.value).endswith("; the namespace quota was put back")
    assert quotas(ecs) == (None, None)  # it had none: the quota was deleted again


def test_a_failed_restore_says_what_is_left(ecs, sim):
    sim.faults(endpoints={BUCKET_QUOTA: 1.0, NS_QUOTA_DELETE: 1.0}, kinds=["500"])
    with pytest.raises(quota.QuotaChangeError) as raised:
        apply(ecs, 1)
    assert "; restoring the namespace quota also failed (" in str(raised.value)
    assert str(raised.value).endswith(f"namespace {NS!r} now has 1024 GB while bucket {BUCKET!r} kept its old quota")
    sim.faults()
    assert quotas(ecs) == (1024, None)


def test_a_namespace_without_an_allocation_is_changed_on_ecs_directly(world, ecs, sim):
    resource = world.resource("ECS direct")
    change = quota.change_namespace_quota(resource, NS, 3)
    assert (change.namespace, change.buckets, change.block_gb) == (NS, (BUCKET,), 3072)
    assert quotas(ecs) == (3072, 3072)
    sim.faults(endpoints={"GET /object/bucket": 1.0}, kinds=["500"])
    with pytest.raises(quota.QuotaChangeError, match="could not list the buckets of namespace 'q-lab'"):
        quota.change_namespace_quota(resource, NS, 4)
    sim.faults()
    with pytest.raises(quota.QuotaChangeError, match="scheme 'ftp' is not supported"):
        quota.change_namespace_quota(world.resource("ECS ftp", url="ftp://ecs.example.org"), NS, 4)


def test_a_quota_change_refuses_another_cluster_or_an_unreadable_one(world, settings):
    allocation = world.allocation("Moved Lab", quota_tb="1")
    world.approve(allocation)
    ECSBinding.objects.filter(allocation_id=allocation.pk).update(cluster_id="urn:storageos:VirtualDataCenterData:x")
    with pytest.raises(quota.QuotaChangeError, match="now reaches ECS cluster"):
        quota.change_quota(allocation.pk, 2)
    world.sim.faults(endpoints={LOCAL_VDC: 1.0}, kinds=["500"])
    try:
        with pytest.raises(quota.QuotaChangeError, match="could not identify the ECS cluster"):
            quota.change_quota(allocation.pk, 2)
    finally:
        world.sim.faults()
    settings.ECS_CLIENT_VERSION = "9"
    with pytest.raises(quota.QuotaChangeError, match="ECS settings: ECS_CLIENT_VERSION must be"):
        quota.change_quota(allocation.pk, 2)
