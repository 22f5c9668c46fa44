"""A run that fails before it took its namespace (ECS refused the login, the cluster could not be read)
sent nothing to ECS: a binding it created is removed again, an older one keeps its trail and says why."""

from __future__ import annotations

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState, ECSBinding
from harness.endpoints import LOCAL_VDC, LOGIN


def test_a_refused_login_leaves_no_binding_and_says_why(world):
    allocation = world.allocation("Login Lab", quota_tb="1")
    world.fail(LOGIN, kinds=("500",))
    world.approve(allocation)
    world.sim.faults()

    allocation.refresh_from_db()
    assert allocation.status.name == "New"
    assert not ECSBinding.objects.filter(allocation_id=allocation.pk).exists()
    status = world.attr(allocation, attributes.ECS_STATUS)
    assert status.startswith("failed") and "ECS" in status, status
    assert world.namespaces() == []

    world.approve(allocation)  # ECS is back: a clean run, nothing to resume
    assert ECSBinding.objects.get(allocation_id=allocation.pk).state == BindingState.ACTIVE
    assert world.namespaces() == ["login-lab"]


def test_an_unreadable_cluster_keeps_the_earlier_binding_and_says_why(world):
    allocation = world.allocation("Trail Lab", quota_tb="1")
    world.fail("POST /object/bucket", kinds=("500",))
    world.approve(allocation)  # fails after the namespace was created; the undo removes it
    world.sim.faults()
    earlier = ECSBinding.objects.get(allocation_id=allocation.pk)
    assert earlier.state == BindingState.FAILED and "create bucket" in earlier.last_error

    world.fail(LOCAL_VDC, kinds=("500",))
    world.approve(allocation)
    world.sim.faults()

    binding = ECSBinding.objects.get(pk=earlier.pk)
    assert binding.state == BindingState.FAILED
    assert binding.steps == earlier.steps  # the earlier run's record is kept for the next attempt
    assert "could not identify the ECS cluster" in binding.last_error
    assert world.attr(allocation, attributes.ECS_STATUS).startswith("failed")

    world.approve(allocation)
    assert ECSBinding.objects.get(pk=earlier.pk).state == BindingState.ACTIVE
    assert world.buckets() == {"trail-lab": ["lab-trail-lab-bucket"]}
