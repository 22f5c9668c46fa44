"""``ecs_deprovision``: a dry run by default, refusals with their reason, removal of an empty bucket."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState
from harness.endpoints import NS_DEACTIVATE
from harness.lifecycle import binding, ecs_writes, expire_by_task

NS, BUCKET = "gone-lab", "lab-gone-lab-bucket"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ecs_deprovision", *args, stdout=out)
    return out.getvalue()


def _expired(world):
    allocation = world.allocation("Gone Lab", quota_tb="1")
    world.approve(allocation)
    expire_by_task(allocation)
    return allocation


def test_refuses_an_active_allocation(world):
    allocation = world.allocation("Gone Lab", quota_tb="1")
    world.approve(allocation)
    with pytest.raises(CommandError, match="is Active: only storage of an allocation that is not in use"):
        _run(str(allocation.pk), "--confirm")
    assert world.buckets() == {NS: [BUCKET]}


def test_without_confirm_only_prints_the_plan(world):
    allocation = _expired(world)
    before = ecs_writes(world)
    text = _run(str(allocation.pk))
    assert f"bucket {BUCKET!r}" in text and f"namespace {NS!r}" in text and "--confirm" in text
    assert ecs_writes(world) == before and world.buckets() == {NS: [BUCKET]}


def test_refuses_a_non_empty_bucket_and_never_empties_it(world):
    allocation = _expired(world)
    world.sim.set_usage(NS, BUCKET, 10, objects=1)
    with pytest.raises(CommandError, match=f"ECS refused to remove bucket {BUCKET!r}"):
        _run(str(allocation.pk), "--confirm")
    assert world.buckets() == {NS: [BUCKET]} and world.namespaces() == [NS]
    assert binding(allocation).state == BindingState.ACTIVE


def test_refuses_a_namespace_with_someone_elses_bucket(world):
    allocation = _expired(world)
    with world.ecs_client() as client:
        client.create_bucket(NS, "foreign")
    with pytest.raises(CommandError, match="also holds bucket\\(s\\) foreign"):
        _run(str(allocation.pk), "--confirm")
    assert world.buckets() == {NS: ["foreign", BUCKET]}


def test_removes_an_empty_bucket_and_namespace_and_retires_the_binding(world):
    allocation = _expired(world)
    text = _run(str(allocation.pk), "--confirm")
    assert f"bucket {BUCKET}, namespace {NS}" in text
    assert world.namespaces() == [] and world.buckets() == {}
    row = binding(allocation)
    assert row.state == BindingState.RETIRED and row.live_key is None
    assert world.attr(allocation, attributes.ECS_STATUS).startswith("retired: removed from ECS on ")
    with pytest.raises(CommandError, match="has no ECS storage to remove \\(its binding is retired\\)"):
        _run(str(allocation.pk), "--confirm")


def test_refuses_an_unknown_allocation(world):
    with pytest.raises(CommandError, match="allocation 999999 does not exist"):
        _run("999999")


def test_a_failing_namespace_removal_says_what_was_removed_so_far(world):
    allocation = _expired(world)
    world.sim.faults(endpoints={NS_DEACTIVATE: 1.0}, kinds=["500"])
    try:
        with pytest.raises(CommandError, match=f"ECS refused to remove namespace {NS!r}") as raised:
            _run(str(allocation.pk), "--confirm")
    finally:
        world.sim.faults()
    assert str(raised.value).endswith(f"Removed so far: bucket {BUCKET}")
    assert world.namespaces() == [NS] and world.buckets() == {}
    assert binding(allocation).state == BindingState.ACTIVE  # not retired: the namespace is still there


def test_storage_already_gone_from_ecs_is_planned_as_such_and_the_binding_retired(world):
    allocation = _expired(world)
    with world.ecs_client() as client:
        client.delete_bucket(NS, BUCKET)
        client.delete_namespace(NS)
    text = _run(str(allocation.pk))
    assert f"bucket {BUCKET!r} (already gone)" in text and f"namespace {NS!r} (already gone)" in text
    assert "usage now unknown" in text
    text = _run(str(allocation.pk), "--confirm")
    assert text.strip() == f"allocation {allocation.pk}: removed from ECS by ecs_deprovision: nothing was left"
    assert binding(allocation).state == BindingState.RETIRED


def test_an_unreadable_usage_is_planned_as_unknown(world):
    allocation = _expired(world)
    world.sim.faults(endpoints={"GET /object/billing/namespace/{namespace}/info": 1.0}, kinds=["500"])
    try:
        text = _run(str(allocation.pk))
    finally:
        world.sim.faults()
    assert f"bucket {BUCKET!r} — ECS refuses it unless empty; usage now unknown" in text


def test_refuses_storage_on_another_cluster_and_a_run_in_progress(world):
    from coldfront_ecs_plugin.models import ECSBinding

    allocation = _expired(world)
    ECSBinding.objects.filter(allocation_id=allocation.pk).update(cluster_id="urn:storageos:VirtualDataCenterData:x")
    with pytest.raises(CommandError, match=r"now reaches ECS cluster .* but allocation .* lives on cluster urn:"):
        _run(str(allocation.pk), "--confirm")
    ECSBinding.objects.filter(allocation_id=allocation.pk).update(state=BindingState.PROVISIONING)
    with pytest.raises(CommandError, match="is being provisioned \\(provisioning\\); wait for it to end"):
        _run(str(allocation.pk), "--confirm")
    assert world.buckets() == {NS: [BUCKET]}
