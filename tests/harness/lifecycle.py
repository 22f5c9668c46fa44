"""Helpers of the lifecycle suite: ColdFront's own paths that change a status, and ECS reads."""

from __future__ import annotations

import datetime

from coldfront_ecs_plugin.models import ECSBinding


def binding(allocation) -> ECSBinding:
    return ECSBinding.objects.get(allocation_id=allocation.pk)


def expire_by_task(allocation) -> None:
    """ColdFront's daily task: an Active allocation past its end date becomes Expired (no signal)."""
    from coldfront.core.allocation.tasks import update_statuses

    type(allocation).objects.filter(pk=allocation.pk).update(
        end_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    update_statuses()
    allocation.refresh_from_db()
    assert allocation.status.name == "Expired"


def set_status_in_view(world, allocation, status: str):
    """The admin's allocation page (AllocationDetailView), action ``update``: Revoked/Denied send
    ``allocation_disable`` and ``allocation_remove_user``."""
    from coldfront.core.allocation.models import AllocationStatusChoice
    from django.urls import reverse

    data = {
        "status": AllocationStatusChoice.objects.get(name=status).pk,
        "action": "update",
        "start_date": "",
        "end_date": "",
        "description": "",
        "is_changeable": "on",
    }
    response = world.client.post(reverse("allocation-detail", kwargs={"pk": allocation.pk}), data)
    assert response.status_code == 302, response.content[:2000]
    allocation.refresh_from_db()
    assert allocation.status.name == status


def renew(world, allocation) -> None:
    """The PI asks for renewal, the admin approves it in the view (back to Active)."""
    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    assert allocation.status.name == "Active"


def quotas(world, namespace: str, bucket: str) -> tuple[int, int]:
    with world.ecs_client() as client:
        return (
            client.get_namespace_quota(namespace).block_size_gb,
            client.get_bucket_quota(namespace, bucket).block_size_gb,
        )


def locked(world, namespace: str, bucket: str) -> bool:
    with world.ecs_client() as client:
        return client.get_bucket_lock(namespace, bucket)


def make_due(allocation) -> None:
    """The grace period is over: move the due time into the past (no waiting, no clock)."""
    row = binding(allocation)
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    row.lifecycle["pending"]["due"] = past.isoformat()
    ECSBinding.objects.filter(pk=row.pk).update(lifecycle=row.lifecycle, lifecycle_due=past)


def ecs_writes(world) -> dict[str, int]:
    """Count of every ECS call that is not a read, by endpoint (the simulator's own counters)."""
    return {name: count for name, count in world.sim.stats()["by_endpoint"].items() if not name.startswith("GET ")}
