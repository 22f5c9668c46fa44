"""Every ECS binding with its allocation's quota and usage, in a constant number of queries.

Shared by the staff page's table, the CSV export and the usage alerts, so all three agree on
what "quota" and "used" mean: the ``Storage Quota (TB)`` value and its usage (kept by ``ecs_sync``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .. import attributes
from .display import percent, to_float


@dataclass
class UsageRow:
    binding_id: int
    allocation_id: int  # rows come only from bindings whose allocation exists
    resource_id: int | None
    resource: str
    project: str
    pi: str
    pi_email: str
    namespace: str
    bucket: str
    state: str
    status: str
    last_synced_at: datetime | None
    quota_tb: float | None = None
    used_tb: float | None = None
    drift: list[str] = field(default_factory=list)

    @property
    def percent_used(self) -> float | None:
        return percent(self.used_tb, self.quota_tb)


def load_rows(
    *,
    resource_ids: Iterable[int] | None = None,
    states: Iterable[str] | None = None,
    allocation_ids: Iterable[int] | None = None,
) -> list[UsageRow]:
    """Bindings (optionally filtered) with quota and usage: 2 queries whatever their number."""
    from ..models import ECSBinding

    query = (
        ECSBinding.objects.filter(allocation__isnull=False)
        .select_related("resource", "allocation__status", "allocation__project__pi")
        .order_by("pk")
    )
    if resource_ids is not None:
        query = query.filter(resource_id__in=list(resource_ids))
    if states is not None:
        query = query.filter(state__in=list(states))
    if allocation_ids is not None:
        query = query.filter(allocation_id__in=list(allocation_ids))
    rows = [_row(b) for b in query]
    quotas = quota_and_usage(r.allocation_id for r in rows)
    for row in rows:
        row.quota_tb, row.used_tb = quotas.get(row.allocation_id, (None, None))
    return rows


def _row(binding) -> UsageRow:
    allocation = binding.allocation
    project = allocation.project
    pi = project.pi
    return UsageRow(
        binding_id=binding.pk,
        allocation_id=allocation.pk,
        resource_id=binding.resource_id,
        resource=binding.resource.name if binding.resource else "—",
        project=project.title,
        pi=pi.get_full_name() or pi.username,
        pi_email=pi.email or "",
        namespace=binding.namespace,
        bucket=binding.bucket,
        state=binding.state,
        status=allocation.status.name,
        last_synced_at=binding.last_synced_at,
    )


def quota_and_usage(allocation_ids: Iterable[int]) -> dict[int, tuple[float | None, float | None]]:
    """allocation id → (Storage Quota (TB) value, its usage in TB); the first attribute wins, as ColdFront's."""
    from coldfront.core.allocation.models import AllocationAttribute

    ids = list(allocation_ids)
    found: dict[int, tuple[float | None, float | None]] = {}
    if not ids:
        return found
    query = (
        AllocationAttribute.objects.filter(allocation_id__in=ids, allocation_attribute_type__name=attributes.QUOTA_TB)
        .order_by("pk")
        .values_list("allocation_id", "value", "allocationattributeusage__value")
    )
    for allocation_id, value, usage in query:
        found.setdefault(allocation_id, (to_float(value), usage))
    return found
