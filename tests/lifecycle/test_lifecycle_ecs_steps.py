"""The ECS steps of a status change (freeze, unfreeze, lock, unlock) against the simulator over real
HTTPS: what they put back, what they leave, and the reason when ECS fails them. No database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coldfront_ecs_plugin.ecs import ECSClient
from coldfront_ecs_plugin.services.lifecycle_ecs import LifecycleError, Target, freeze, lock, unfreeze, unlock
from harness.sync import GIB, ecs_client

T = Target("steps-lab", "steps-lab-bucket")
NS_QUOTA_PUT = "PUT /object/namespaces/namespace/{namespace}/quota"
LOCK_PUT = "PUT /object/bucket/{bucket}/lock/{locked}"


@pytest.fixture
def client(sim) -> Iterator[ECSClient]:
    with ecs_client(sim) as c:
        c.create_namespace(T.namespace, replication_group_id=c.replication_group_id("rg1"))
        c.create_bucket(T.namespace, T.bucket)
        sim.set_usage(T.namespace, T.bucket, 3 * GIB + 1, 1)  # 3 GB and a byte: frozen at 4 GB
        yield c
    sim.faults()


def quotas(client) -> tuple[int | None, int | None]:
    ns, bucket = client.get_namespace_quota(T.namespace), client.get_bucket_quota(T.namespace, T.bucket)
    return (None if ns.unlimited else ns.block_size_gb), (None if bucket.unlimited else bucket.block_size_gb)


def test_storage_without_quotas_is_frozen_at_its_usage_and_unfrozen_to_no_quota(client):
    saved = []
    record = freeze(client, T, None, saved.append)
    assert saved == [record] == [{"namespace_quota": None, "bucket_quota": None, "set_gb": 4}]
    assert quotas(client) == (4, 4)
    assert unfreeze(client, T, record) == [
        "namespace 'steps-lab': no quota again (as before)",
        "bucket 'steps-lab-bucket': no quota again (as before)",
    ]
    assert quotas(client) == (None, None)


def test_a_retried_freeze_keeps_the_first_runs_before(client):
    earlier = {"namespace_quota": [10, 9], "bucket_quota": [2, 1], "set_gb": 4}
    record = freeze(client, T, earlier, lambda r: None)
    assert record == {"namespace_quota": [10, 9], "bucket_quota": [2, 1], "set_gb": 4}
    notes = unfreeze(client, T, record)
    assert notes == [
        "namespace 'steps-lab': 10 GB again",
        "bucket 'steps-lab-bucket': 4 GB (its earlier 2 GB is below what it now holds)",
    ]
    assert quotas(client) == (10, 4)


def test_a_quota_changed_on_ecs_since_the_freeze_is_left(client):
    record = freeze(client, T, None, lambda r: None)
    client.set_namespace_quota(T.namespace, 50, 40)
    assert unfreeze(client, T, record)[0] == "namespace 'steps-lab': left at 50 GB (changed on ECS since the freeze)"
    assert quotas(client) == (50, None)


def test_ecs_failures_are_named(client, sim):
    sim.faults(endpoints={"GET /object/billing/namespace/{namespace}/info": 1.0}, kinds=["500"])
    with pytest.raises(LifecycleError, match="could not read the usage of namespace 'steps-lab'"):
        freeze(client, T, None, lambda r: None)
    sim.faults(endpoints={"GET /object/bucket/{bucket}/quota": 1.0}, kinds=["500"])
    with pytest.raises(LifecycleError, match="could not read the quotas of steps-lab/steps-lab-bucket"):
        freeze(client, T, None, lambda r: None)
    sim.faults(endpoints={NS_QUOTA_PUT: 1.0}, kinds=["500"])
    saved = []
    with pytest.raises(LifecycleError, match=r"could not set the frozen quota \(4 GB\) on steps-lab/steps-lab-bucket"):
        freeze(client, T, None, saved.append)
    assert saved == [{"namespace_quota": None, "bucket_quota": None, "set_gb": 4}]  # saved before the write
    sim.faults()
    record = freeze(client, T, None, lambda r: None)
    sim.faults(endpoints={"DELETE /object/namespaces/namespace/{namespace}/quota": 1.0}, kinds=["500"])
    with pytest.raises(LifecycleError, match="could not restore the quota of namespace 'steps-lab'"):
        unfreeze(client, T, record)


def test_a_bucket_gone_from_ecs_is_named(client, sim):
    sim.set_usage(T.namespace, T.bucket, 0, 0)  # ECS deletes empty buckets only
    client.delete_bucket(T.namespace, T.bucket)
    with pytest.raises(LifecycleError, match="namespace 'steps-lab' or bucket 'steps-lab-bucket' is gone from ECS"):
        freeze(client, T, None, lambda r: None)
    assert quotas_of_namespace(client) is None  # nothing was written


def quotas_of_namespace(client) -> int | None:
    quota = client.get_namespace_quota(T.namespace)
    return None if quota.unlimited else quota.block_size_gb


def test_lock_and_unlock_remember_an_earlier_lock(client, sim):
    record = lock(client, T)
    assert record == {"was_locked": False} and client.get_bucket_lock(T.namespace, T.bucket)
    assert lock(client, T) == {"was_locked": True}  # already locked: left as it is
    assert unlock(client, T, {"was_locked": True}) == ["bucket 'steps-lab-bucket': left locked (it was locked before)"]
    assert client.get_bucket_lock(T.namespace, T.bucket)
    sim.faults(endpoints={LOCK_PUT: 1.0}, kinds=["500"])
    with pytest.raises(LifecycleError, match="could not unlock bucket 'steps-lab-bucket'"):
        unlock(client, T, record)
    sim.faults()
    assert unlock(client, T, record) == ["bucket 'steps-lab-bucket': unlocked"]
    sim.faults(endpoints={LOCK_PUT: 1.0}, kinds=["500"])
    with pytest.raises(LifecycleError, match="could not lock bucket 'steps-lab-bucket'"):
        lock(client, T)
