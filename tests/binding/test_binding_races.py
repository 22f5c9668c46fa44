"""Lost races on the binding table: another run committed between our check and our write.

The database's unique keys (one binding per allocation, one live holder per namespace and cluster) are
what stops the second run; these tests make the check miss, as a concurrent commit would, and prove the
loser gets a clear BindingBusy/BindingConflict and the winner's row is untouched.
"""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin.models import BindingState, ECSBinding
from coldfront_ecs_plugin.services import bindings

CLUSTER = "urn:storageos:VirtualDataCenterData:race"
ENDPOINT = "https://ecs.example.org:4443"


def _binding(allocation, namespace: str, state: str = BindingState.ACTIVE) -> ECSBinding:
    binding = ECSBinding(
        allocation=allocation,
        endpoint=ENDPOINT,
        cluster_id=CLUSTER,
        namespace=namespace,
        bucket=f"lab-{namespace}-bucket",
        state=state,
    )
    binding.refresh_live_key()
    binding.save()
    return binding


def _claim_args(world, namespace: str) -> dict:
    return {
        "resource": world.resource("ECS race"),
        "endpoint": ENDPOINT,
        "cluster_id": CLUSTER,
        "namespace": namespace,
        "bucket": f"lab-{namespace}-bucket",
        "stale_after": 60,
    }


@pytest.fixture
def check_misses(monkeypatch):
    """The holder check finds nobody: the other run committed just after it."""
    monkeypatch.setattr(bindings, "holder_of", lambda *args, **kwargs: None)


def test_a_namespace_taken_by_a_concurrent_claim_is_a_conflict(world, check_misses):
    winner = _binding(world.allocation("Race Lab A"), "race-lab")
    loser = world.allocation("Race Lab B")
    with pytest.raises(bindings.BindingConflict, match="claimed by a concurrent run") as refused:
        bindings.claim(loser.pk, **_claim_args(world, "race-lab"))
    assert not isinstance(refused.value, bindings.BindingBusy)
    assert bindings.for_allocation(loser.pk) is None
    winner.refresh_from_db()
    assert (winner.state, winner.live_key) == (BindingState.ACTIVE, f"{CLUSTER}|race-lab")


def test_a_namespace_taken_before_confirm_is_a_conflict(world, check_misses):
    _binding(world.allocation("Confirm Lab A"), "confirm-lab")
    mine = _binding(world.allocation("Confirm Lab B"), "confirm-lab", state=BindingState.UNLINKED)
    mine.state = BindingState.PROVISIONING  # reserved: live, but holding no namespace until confirmed
    mine.save()
    with pytest.raises(bindings.BindingConflict, match="claimed by a concurrent run"):
        bindings.confirm(mine, CLUSTER)
    mine.refresh_from_db()
    assert mine.live_key is None  # the namespace stays with the winner


@pytest.mark.parametrize("take", ["claim", "reserve"])
def test_an_allocation_started_by_a_concurrent_run_is_busy(world, monkeypatch, take):
    """Our read found no binding; the other run's insert for the same allocation won the unique key."""
    allocation = world.allocation(f"Busy {take} Lab")
    running = _binding(allocation, f"busy-{take}-lab", state=BindingState.PROVISIONING)

    def missed(allocation_pk, namespace, bucket, stale_after):
        return ECSBinding(allocation_id=allocation_pk, namespace=namespace, bucket=bucket), True, False

    monkeypatch.setattr(bindings, "_take_for_run", missed)
    args = _claim_args(world, "other-ns")
    if take == "reserve":
        del args["cluster_id"]  # a reservation comes before the cluster is read
    with pytest.raises(bindings.BindingBusy, match="started by a concurrent run"):
        getattr(bindings, take)(allocation.pk, **args)
    running.refresh_from_db()
    assert (running.state, running.namespace) == (BindingState.PROVISIONING, f"busy-{take}-lab")


def test_a_lock_error_that_outlasts_the_wait_is_raised(monkeypatch):
    from django.db import OperationalError

    monkeypatch.setattr(bindings, "SQLITE_LOCK_WAIT", 0.1)
    calls = []

    def locked():
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError, match="locked"):
        bindings.retry_while_locked(locked)
    assert len(calls) >= 2  # retried, then given up

    def other():
        calls.append(1)
        raise OperationalError("no such table: x")

    calls.clear()
    with pytest.raises(OperationalError, match="no such table"):
        bindings.retry_while_locked(other)
    assert calls == [1]  # anything but a lock is not retried
