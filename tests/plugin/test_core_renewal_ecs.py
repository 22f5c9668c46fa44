"""Approving an allocation again (renewal) while ECS cannot say what it holds: the approval goes
through, ECS is not changed, and the admin note says what could not be checked."""

from __future__ import annotations

import pytest

from harness.endpoints import LOCAL_VDC

NS, BUCKET = "renew-lab", "lab-renew-lab-bucket"


@pytest.fixture
def provisioned(world):
    allocation = world.allocation("Renew Lab", quota_tb="2")
    world.approve(allocation)
    assert allocation.status.name == "Active"
    return allocation


def approve_again(world, allocation) -> list[str]:
    world.set_status(allocation, "Renewal Requested")
    writes = {k: v for k, v in world.sim.stats()["by_endpoint"].items() if not k.startswith("GET ")}
    world.approve(allocation)
    assert allocation.status.name == "Active"
    assert {k: v for k, v in world.sim.stats()["by_endpoint"].items() if not k.startswith("GET ")} == writes
    return world.notes(allocation)


@pytest.mark.parametrize(
    ("endpoint", "text"),
    [
        (LOCAL_VDC, "approved again; ECS could not be checked ("),
        (
            "GET /object/namespaces/namespace/{namespace}/quota",
            f"approved again, but the quota of namespace {NS!r} could not be read (",
        ),
    ],
    ids=["cluster", "quota"],
)
def test_ecs_that_cannot_be_read_is_noted_and_left(world, provisioned, endpoint, text):
    world.fail(endpoint)
    try:
        [note] = approve_again(world, provisioned)
    finally:
        world.sim.faults()
    assert text in note and note.endswith("Nothing was changed on ECS"), note


def test_a_namespace_gone_from_ecs_is_noted(world, provisioned):
    world.sim.set_usage(NS, BUCKET, 0, 0)
    with world.ecs_client() as client:
        client.delete_bucket(NS, BUCKET)
        client.delete_namespace(NS)
    [note] = approve_again(world, provisioned)
    assert f"approved again, but namespace {NS!r} was not found on ECS. Nothing was changed on ECS" in note
