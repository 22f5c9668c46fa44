"""Which ECS cluster an endpoint reaches, and bounding a client's work in time.

A binding records the cluster's own identity (its local VDC id), not only a hostname: an admin
may point a resource's ``url`` at another cluster (whose same-named namespace is a stranger's),
or at the same cluster under a new name (which must simply continue).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..ecs import ECSError, ECSNotFound, is_missing_call


class ClusterMismatch(ValueError):
    """The resource's endpoint now reaches a different ECS cluster than the binding's."""


def cluster_identity(client) -> str:
    """The local VDC id behind this endpoint; "" when this ECS has no such call (then the endpoint
    stands for the cluster). Other ECS errors propagate: an unreadable identity is not "unknown"."""
    try:
        return str(client.local_vdc().id)
    except ECSNotFound:
        return ""
    except ECSError as exc:
        if is_missing_call(exc):
            return ""
        raise


def check_cluster(binding, cluster_id: str, endpoint: str) -> None:
    """Refuse when the binding's storage is on another cluster than ``endpoint`` now reaches."""
    if binding is None or not binding.cluster_id or not cluster_id or binding.cluster_id == cluster_id:
        return
    raise ClusterMismatch(
        f"the resource's url now reaches ECS cluster {cluster_id} ({endpoint}), but allocation "
        f"{binding.allocation_id}'s namespace {binding.namespace!r} lives on cluster {binding.cluster_id} "
        f"({binding.endpoint}); nothing was changed. Point the resource back at that cluster, or link the "
        "allocation to storage on the new one with manage.py ecs_link"
    )


@contextmanager
def time_bound(client, seconds: float) -> Iterator[None]:
    """Every request the client sends in this block ends within ``seconds`` from now."""
    with client.deadline(seconds):
        yield
