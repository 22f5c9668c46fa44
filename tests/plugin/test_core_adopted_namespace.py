"""Provisioning into a namespace the Namespace attribute names (adopted, not created): its usage is
checked before its quota changes, and a failed run puts the namespace's own quota back (or says it could
not). Through ColdFront's approval view; ECS over real HTTPS."""

from __future__ import annotations

import pytest

from harness.endpoints import BUCKET_CREATE
from harness.sync import GIB

NS = "legacy-ns"
NS_QUOTA_DELETE = "DELETE /object/namespaces/namespace/{namespace}/quota"


@pytest.fixture
def legacy(world):
    """An existing namespace on ECS and a New allocation whose Namespace attribute names it (2 TB asked)."""

    def make(quota_gb: int | None = None, usage_bytes: int = 0):
        with world.ecs_client() as client:
            client.create_namespace(NS, replication_group_id=client.replication_group_id("rg1"))
            client.create_bucket(NS, "their-data")
            if quota_gb is not None:
                client.set_namespace_quota(NS, quota_gb, quota_gb)
        world.sim.set_usage(NS, "their-data", usage_bytes, 1 if usage_bytes else 0)
        return world.allocation("Legacy Lab", namespace=NS, quota_tb="2")

    return make


def namespace_quota(world) -> int | None:
    with world.ecs_client() as client:
        quota = client.get_namespace_quota(NS)
    return None if quota.unlimited else quota.block_size_gb


def failed(world, allocation) -> str:
    assert allocation.status.name == "New", world.notes(allocation)
    [note] = world.notes(allocation)
    return note


@pytest.mark.parametrize(("before", "after"), [(100, 100), (None, None)], ids=["had-quota", "had-none"])
def test_a_failed_bucket_create_puts_the_adopted_namespaces_quota_back(world, legacy, before, after):
    allocation = legacy(quota_gb=before)
    world.fail(BUCKET_CREATE)
    world.approve(allocation)
    world.sim.faults()
    assert "failed to create bucket 'lab-legacy-ns-bucket'" in failed(world, allocation)
    assert namespace_quota(world) == after
    assert world.buckets() == {NS: ["their-data"]}  # the namespace and its other bucket are left alone


def test_a_quota_that_cannot_be_put_back_is_named(world, legacy):
    allocation = legacy()
    world.fail(BUCKET_CREATE, NS_QUOTA_DELETE)
    world.approve(allocation)
    world.sim.faults()
    note = failed(world, allocation)
    assert f"the changed quota of namespace {NS!r}" in note, note
    assert namespace_quota(world) == 2048


def test_an_adopted_namespace_holding_more_than_the_quota_is_refused(world, legacy):
    allocation = legacy(usage_bytes=3 * 1024 * GIB)
    world.approve(allocation)
    note = failed(world, allocation)
    assert f"refusing to set the quota of adopted namespace {NS!r}: namespace {NS!r} already holds 3 TB" in note
    assert namespace_quota(world) is None  # untouched


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("GET /object/billing/namespace/{namespace}/info", f"could not read the usage of namespace {NS!r}"),
        ("GET /object/bucket/{bucket}/info", "could not check whether bucket 'lab-legacy-ns-bucket' exists"),
    ],
    ids=["usage", "bucket"],
)
def test_an_adopted_namespace_that_cannot_be_read_is_refused(world, legacy, endpoint, reason):
    allocation = legacy(quota_gb=100)
    world.fail(endpoint)
    world.approve(allocation)
    world.sim.faults()
    assert reason in failed(world, allocation)
    assert namespace_quota(world) == 100
