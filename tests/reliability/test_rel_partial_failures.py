"""Guarantee 2: a failure at any provisioning or quota step leaves nothing orphaned on ECS, tells the
admin why (an AllocationAdminNote, status put back), and a plain retry through the real view completes."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes
from harness.endpoints import BUCKET_CREATE, BUCKET_QUOTA, LOGIN, NS_CREATE, NS_QUOTA, VPOOLS
from harness.world import attr, attr_names, notes

PLUGIN_ATTRS = {attributes.NAMESPACE, attributes.BUCKET, attributes.QUOTA_BYTES}

# (id, simulator endpoint that fails or "db", fault kinds, what the admin note must say)
STEPS = [
    ("login", LOGIN, ["500"], "could not identify the ECS cluster"),
    ("login-dropped", LOGIN, ["drop"], "could not identify the ECS cluster"),
    ("replication-group", VPOOLS, ["503"], "could not list ECS replication groups"),
    ("namespace-create", NS_CREATE, ["500"], "failed to create namespace"),
    ("namespace-create-dropped", NS_CREATE, ["drop"], "failed to create namespace"),
    ("namespace-quota", NS_QUOTA, ["500"], "failed to set quota of namespace"),
    ("bucket-create", BUCKET_CREATE, ["500"], "failed to create bucket"),
    ("bucket-create-dropped", BUCKET_CREATE, ["drop"], "failed to create bucket"),
    # the bucket quota travels in the create call; a separate PUT only happens on a re-run (test below)
    ("database-write", "db", [], "failed to record the names and quota"),
]


@pytest.mark.parametrize(("endpoint", "kinds", "reason"), [s[1:] for s in STEPS], ids=[s[0] for s in STEPS])
def test_failure_at_each_step_leaves_nothing_and_retry_completes(world, monkeypatch, endpoint, kinds, reason):
    from coldfront_ecs_plugin.services import records

    allocation = world.allocation("Partial Lab", quota_tb="2")
    before_attrs = attr_names(allocation)
    if endpoint == "db":

        def broken(*args, **kwargs):
            raise RuntimeError("database write refused (injected)")

        monkeypatch.setattr(records, "record_quota", broken)
    else:
        world.fail(endpoint, kinds=kinds)

    world.approve(allocation)  # the real view: a 302, never a 500 page

    world.sim.faults()
    monkeypatch.undo()
    assert allocation.status.name == "New", "the allocation goes back to the status it came from"
    assert world.namespaces() == [] and world.buckets() == {}, "nothing orphaned on ECS"
    assert [n for n in attr_names(allocation) if n != attributes.ECS_STATUS] == before_attrs, "no attribute written"
    assert attr(allocation, attributes.ECS_STATUS).startswith("failed (fix, then approve again; see notes): ")
    [note] = notes(allocation)
    assert "provisioning failed" in note and reason in note and "approve again" in note, note
    assert world.sim.stats()["active_tokens"] == 0, "logged out even after a failure"

    world.approve(allocation)  # the retry: approve again
    assert allocation.status.name == "Active"
    assert world.namespaces() == ["partial-lab"]
    assert world.buckets() == {"partial-lab": ["lab-partial-lab-bucket"]}
    assert set(attr_names(allocation)) >= PLUGIN_ATTRS
    assert notes(allocation)[1:] == ["ECS: provisioning completed; the earlier failure is resolved"]
    assert attr(allocation, attributes.ECS_STATUS) == "active"
    with world.ecs_client() as client:
        assert client.get_namespace_quota("partial-lab").block_size_gb == 2048
        assert client.get_bucket_quota("partial-lab", "lab-partial-lab-bucket").block_size_gb == 2048
    assert world.sim.stats()["active_tokens"] == 0


def test_renewal_with_a_quota_edited_while_expired_leaves_ecs_and_says_so(world):
    """An active binding's renewal writes nothing: both ECS quotas stay equal and as they were, even when a
    write would fail, and the admin is told that ColdFront and ECS disagree."""
    from coldfront_ecs_plugin.services import records

    allocation = world.allocation("Rerun Lab", quota_tb="1")
    world.approve(allocation)
    records.set_value(allocation, attributes.QUOTA_TB, "2")  # e.g. edited while the allocation was expired
    world.set_status(allocation, "Renewal Requested")
    world.fail(BUCKET_QUOTA, NS_QUOTA, kinds=["503"])
    world.approve(allocation)
    world.sim.faults()

    assert allocation.status.name == "Active"
    assert _quota_pair(world, "rerun-lab", "lab-rerun-lab-bucket") == (1024, 1024)
    [note] = notes(allocation)
    assert "ECS enforces 1 TB" in note and "Both were left as they are" in note, note


def test_resumed_run_after_a_failed_bucket_step_completes_without_duplicates(world):
    """A failed run rolls back what it created; approving again creates everything once."""
    allocation = world.allocation("Equal Lab", quota_tb="1")
    world.fail(BUCKET_CREATE, kinds=["503"])
    world.approve(allocation)
    world.sim.faults()
    assert world.namespaces() == []
    world.approve(allocation)
    assert allocation.status.name == "Active"
    assert _quota_pair(world, "equal-lab", "lab-equal-lab-bucket") == (1024, 1024)


def test_slow_namespace_create_is_reconciled_not_duplicated(world, settings):
    """A create that times out but took effect on ECS is found and adopted: one namespace, no error."""
    settings.ECS_REQUEST_TIMEOUT = 0.3
    world.sim.faults(endpoints={NS_CREATE: 1.0}, kinds=["slow"], slow_ms=500)
    allocation = world.allocation("Slow Lab", quota_tb="1")
    world.approve(allocation)
    world.sim.faults()
    assert allocation.status.name == "Active", notes(allocation)
    assert world.namespaces() == ["slow-lab"]
    assert world.buckets() == {"slow-lab": ["lab-slow-lab-bucket"]}


def _quota_pair(world, ns: str, bucket: str) -> tuple[int, int]:
    with world.ecs_client() as client:
        return client.get_namespace_quota(ns).block_size_gb, client.get_bucket_quota(ns, bucket).block_size_gb


def test_quota_change_failing_between_namespace_and_bucket_rolls_back(world):
    """The bucket step fails after the namespace step: the namespace gets its old quota back."""
    allocation = world.allocation("Quota Lab", quota_tb="1")
    world.approve(allocation)
    assert _quota_pair(world, "quota-lab", "lab-quota-lab-bucket") == (1024, 1024)

    world.fail(BUCKET_QUOTA)
    world.edit_attribute(allocation, attributes.QUOTA_TB, "2")
    world.sim.faults()

    assert _quota_pair(world, "quota-lab", "lab-quota-lab-bucket") == (1024, 1024), "rolled back"
    assert float(attr(allocation, attributes.QUOTA_TB)) == 1.0, "ColdFront shows what ECS enforces"
    [note] = notes(allocation)
    assert "failed to set the quota of bucket" in note and "put back" in note, note
    assert world.sim.stats()["active_tokens"] == 0

    world.edit_attribute(allocation, attributes.QUOTA_TB, "2")  # retry
    assert _quota_pair(world, "quota-lab", "lab-quota-lab-bucket") == (2048, 2048)
    assert float(attr(allocation, attributes.QUOTA_TB)) == 2.0


def test_quota_change_whose_rollback_fails_is_reported_and_a_retry_converges(world, monkeypatch):
    """When even the rollback fails, the note names the mismatch; approving the change again converges."""
    from coldfront_ecs_plugin.services import quota

    allocation = world.allocation("Stuck Lab", quota_tb="1")
    world.approve(allocation)
    world.fail(BUCKET_QUOTA)
    monkeypatch.setattr(quota, "restore_namespace_quota", lambda *a: "injected: restore refused")
    world.edit_attribute(allocation, attributes.QUOTA_TB, "3")
    world.sim.faults()
    monkeypatch.undo()

    [note] = notes(allocation)
    assert "restoring the namespace quota also failed" in note and "lab-stuck-lab-bucket" in note, note
    world.edit_attribute(allocation, attributes.QUOTA_TB, "3")
    assert _quota_pair(world, "stuck-lab", "lab-stuck-lab-bucket") == (3072, 3072)
