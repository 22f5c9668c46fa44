"""``ecs_deprovision``: a dry run by default, refusals with their reason, removal of an empty bucket."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState
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
