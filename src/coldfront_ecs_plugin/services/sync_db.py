"""The database phase of ``ecs_sync``: load, diff in memory, write only the changes in bulk.

Query shape per resource, independent of its number of allocations: one query for the names
before the ECS reads; then, in one transaction, a row lock, one query for every quota attribute
and its usage, one for the allocations changed since the reading began, and a handful of
batched writes (updates and their history rows through ``bulk_write``, creations through
django-simple-history's bulk helpers), so history rows exist only for values that changed.

Concurrency: the write transaction first takes a lock on the resource's row with a no-op UPDATE.
On PostgreSQL and MariaDB that is a row lock: a second ``ecs_sync`` (or a second queued task for the
same endpoint) waits at that point until the first commits. On SQLite it takes the database's
write lock at once, so two runs serialise instead of failing half-way with "database is locked"
(a wait longer than SQLite's busy timeout makes the second run report that resource as failed and
move on). After the lock the values are read afresh and diffed again, so an approval or quota
change committed while ECS was being read is not overwritten with a stale decision.

Re-diffing alone is not enough: a value written in ColdFront after the ECS reading began (a
quota change, a provisioning) differs from that older reading, and the diff would "correct" it
back. So, after the lock, one more query finds the allocations whose quota attributes, usages or
names have a history row (save, delete, bulk write with history) or a ``modified`` time after the
reading began, or whose binding a quota change holds (its lease) or held since then. Such an
allocation keeps its values when the reading disagrees with them: a note, not a failure, and the
next run reads ECS afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from .. import attributes, logs, units
from ..ecs import Capacity
from .bulk_write import BATCH_SIZE, case_update, history_snapshot
from .sync_plan import QUOTA_NAMES, Diff, Readings, Row, format_number, plan_allocation, same_number
from .sync_plan import Target as PlanTarget
from .sync_report import Change, Failure, ResourceReport

logger = logs.get_logger(__name__)

NAME_ATTRS = (attributes.NAMESPACE, attributes.BUCKET)
CAPACITY_NAMES = (attributes.CAPACITY_TB, attributes.USED_TB, attributes.ALLOCATED_TB)
CHANGE_REASON = "ecs_sync"


# -- loading names before the reads ----------------------------------------------------------------
@dataclass
class Target:
    """One bound allocation and the names its binding holds on ECS."""

    allocation_id: int
    namespace: str | None = None
    bucket: str | None = None
    error: str | None = None
    binding_id: int | None = None
    cluster_id: str = ""
    usage_only: bool = False  # frozen/locked: the quota on ECS is the lifecycle's


@dataclass
class ResourceTargets:
    resource_id: int
    targets: dict[int, Target] = field(default_factory=dict)

    def wanted(self) -> dict[str, set[str]]:
        """namespace → buckets to read."""
        found: dict[str, set[str]] = {}
        for target in self.targets.values():
            if target.error is None and target.namespace and target.bucket:
                found.setdefault(target.namespace, set()).add(target.bucket)
        return found


def _bound_allocations(resource_id: int):
    """Ids of the allocations whose active binding is on this resource (a subquery)."""
    from ..models import SETTLED_STATES, ECSBinding

    return ECSBinding.objects.filter(
        resource_id=resource_id, state__in=SETTLED_STATES, allocation__isnull=False
    ).values("allocation_id")


def load_targets(resource_id: int) -> ResourceTargets:
    """Names from the settled (active, frozen, locked) bindings on the resource (1 query); nothing is
    derived from a title."""
    from ..models import SETTLED_STATES, BindingState, ECSBinding

    result = ResourceTargets(resource_id)
    rows = (
        ECSBinding.objects.filter(resource_id=resource_id, state__in=SETTLED_STATES, allocation__isnull=False)
        .order_by("allocation_id")
        .values_list("allocation_id", "namespace", "bucket", "pk", "cluster_id", "state")
    )
    for allocation_id, namespace, bucket, pk, cluster_id, state in rows:
        result.targets[allocation_id] = Target(
            allocation_id,
            namespace,
            bucket,
            binding_id=pk,
            cluster_id=cluster_id,
            usage_only=state != BindingState.ACTIVE,
        )
    return result


def load_unlinked(resource) -> list[dict]:
    """Active allocations on this ECS resource that no live binding holds (1 query): listed, not failed."""
    from coldfront.core.allocation.models import Allocation

    from ..models import LIVE_STATES

    query = (
        Allocation.objects.filter(resources__id=resource.pk, status__name="Active")
        .exclude(ecs_binding__state__in=LIVE_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    reason = "no ECS binding: link it with 'manage.py ecs_link ID --namespace NS' or 'manage.py ecs_link --all'"
    return [{"allocation_id": pk, "resource": resource.name, "reason": reason} for pk in query]


# -- attribute types -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttributeTypes:
    """Ids and usage flags of the plugin's allocation and resource attribute types (2 queries per run)."""

    allocation: dict[str, tuple[int, bool]]  # name -> (type id, has_usage)
    resource: dict[str, int]

    @classmethod
    def load(cls) -> AttributeTypes:
        from coldfront.core.allocation.models import AllocationAttributeType
        from coldfront.core.resource.models import ResourceAttributeType

        allocation: dict[str, tuple[int, bool]] = {}
        for pk, name, has_usage in (
            AllocationAttributeType.objects.filter(name__in=QUOTA_NAMES)
            .order_by("pk")
            .values_list("pk", "name", "has_usage")
        ):
            allocation.setdefault(name, (pk, has_usage))
        resource: dict[str, int] = {}
        for pk, name in (
            ResourceAttributeType.objects.filter(name__in=CAPACITY_NAMES).order_by("pk").values_list("pk", "name")
        ):
            resource.setdefault(name, pk)
        return cls(allocation, resource)

    def missing(self) -> list[str]:
        return [n for n in QUOTA_NAMES if n not in self.allocation] + [
            n for n in CAPACITY_NAMES if n not in self.resource
        ]


# -- the write plan --------------------------------------------------------------------------------


def _load_rows(resource_id: int, types: AttributeTypes) -> dict[int, dict[str, Row]]:
    """Every quota attribute of the resource's Active allocations, with its usage: one query."""
    from coldfront.core.allocation.models import AllocationAttribute

    type_names = {pk: name for name, (pk, _usage) in types.allocation.items()}
    rows: dict[int, dict[str, Row]] = {}
    query = (
        AllocationAttribute.objects.filter(
            allocation_id__in=_bound_allocations(resource_id), allocation_attribute_type_id__in=list(type_names)
        )
        .order_by("pk")
        .values_list("pk", "allocation_id", "allocation_attribute_type_id", "value", "allocationattributeusage__value")
    )
    for pk, allocation_id, type_id, value, usage in query.iterator(chunk_size=BATCH_SIZE):
        per_allocation = rows.setdefault(allocation_id, {})
        name = type_names[type_id]
        if name not in per_allocation:  # the first one wins, as Allocation.get_attribute does
            per_allocation[name] = Row(pk, allocation_id, type_id, value, usage)
    return rows


def _changed_since(resource_id: int, types: AttributeTypes, since: datetime) -> set[int]:
    """Active allocations whose quota attributes, their usages or Namespace/Bucket attributes were
    written after ``since``, or whose binding a quota change holds or held since then: one UNION query.

    History rows (``history_date``, indexed) see saves, deletes and bulk writes with history;
    ``modified`` sees writes that left no history row (a queryset ``update`` that sets it). A quota
    change's lease (``ECSBinding.quota_lease``, its taking and giving back stamp ``updated``) sees a change
    that has set ECS but not yet recorded it, or that recorded values ColdFront already had.
    """
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage

    from ..models import ECSBinding

    active = _bound_allocations(resource_id)
    quota_types = [pk for pk, _usage in types.allocation.values()]
    relevant = Q(allocation_attribute_type_id__in=quota_types) | Q(allocation_attribute_type__name__in=NAME_ATTRS)
    quota_attrs = AllocationAttribute.objects.filter(
        allocation_id__in=active, allocation_attribute_type_id__in=quota_types
    ).values("pk")
    parts = [
        AllocationAttribute.history.model.objects.filter(relevant, history_date__gt=since, allocation_id__in=active)
        .order_by()
        .values_list("allocation_id", flat=True),
        AllocationAttributeUsage.history.model.objects.filter(
            history_date__gt=since, allocation_attribute_id__in=quota_attrs
        )
        .order_by()
        .values_list("allocation_attribute__allocation_id", flat=True),
        AllocationAttribute.objects.filter(relevant, modified__gt=since, allocation_id__in=active)
        .order_by()
        .values_list("allocation_id", flat=True),
        AllocationAttributeUsage.objects.filter(modified__gt=since, allocation_attribute_id__in=quota_attrs)
        .order_by()
        .values_list("allocation_attribute__allocation_id", flat=True),
        ECSBinding.objects.filter(Q(quota_lease__isnull=False) | Q(updated__gt=since), allocation_id__in=active)
        .order_by()
        .values_list("allocation_id", flat=True),
    ]
    return set(parts[0].union(*parts[1:]))


def _lock(resource_id: int, allocation_ids: list[int]) -> None:
    """Serialise writers: the resource row (see module docstring), then the allocation rows."""
    from coldfront.core.allocation.models import Allocation
    from coldfront.core.resource.models import Resource

    Resource.objects.filter(pk=resource_id).update(name=F("name"))
    if connection.features.has_select_for_update and allocation_ids:
        list(
            Allocation.objects.select_for_update()
            .filter(pk__in=_bound_allocations(resource_id))
            .values_list("pk", flat=True)
        )


def _plan_target(
    target: Target,
    rows: dict[str, Row],
    readings: Readings,
    types: AttributeTypes,
    report: ResourceReport,
    plan: Diff,
    now,
    changed_meanwhile: bool,
) -> None:
    """Plan one allocation with the pure ``plan_allocation``; write it unless ColdFront changed it during
    the read and the (older) reading disagrees; fill the report."""
    diff = plan_allocation(
        PlanTarget(target.allocation_id, target.namespace or "", target.bucket or "", target.usage_only),
        rows,
        readings,
        types.allocation,
        now,
    )
    report.notes.extend(diff.notes)
    if diff.failures:
        report.failures.extend(
            Failure(reason, target.allocation_id, target.namespace, target.bucket) for reason in diff.failures
        )
        report.failed += 1
    if changed_meanwhile and diff.writes:
        report.notes.append(
            f"allocation {target.allocation_id} ({target.namespace}): changed in ColdFront during "
            "the sync; left for the next run"
        )
        if not diff.failures:
            report.unchanged += 1
        return
    diff.add_writes_to(plan)
    report.changes.extend(diff.changes)
    if not diff.failures:
        if diff.changes:
            report.updated += 1
        else:
            report.unchanged += 1


def _update_with_history(model, rows: Sequence[tuple[int, object]], now) -> int:
    """Set ``value`` (and ``modified``) of ``(pk, value)`` rows, then one history row each (see ``bulk_write``)."""
    case_update(model, "value", rows, {"modified": now})
    return history_snapshot(model, [pk for pk, _value in rows], date=now, reason=CHANGE_REASON)


def _write(plan: Diff, now) -> int:
    """Apply the plan with history rows for exactly the changed values; returns history rows written."""
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage
    from simple_history.utils import bulk_create_with_history

    history = dict(default_change_reason=CHANGE_REASON, default_date=now, batch_size=BATCH_SIZE)
    rows = _update_with_history(AllocationAttribute, plan.update_values, now)
    if plan.create_values:
        created = bulk_create_with_history([a for a, _u in plan.create_values], AllocationAttribute, **history)
        rows += len(created)
        for attr, (_same, usage) in zip(created, plan.create_values, strict=True):
            if usage is not None:  # bulk_create skips save(), which would have made the usage row
                plan.create_usages.append(
                    AllocationAttributeUsage(allocation_attribute_id=attr.pk, value=usage, created=now, modified=now)
                )
    rows += _update_with_history(AllocationAttributeUsage, plan.update_usages, now)
    if plan.create_usages:
        bulk_create_with_history(plan.create_usages, AllocationAttributeUsage, **history)
        rows += len(plan.create_usages)
    return rows


def apply_resource(
    resource_id: int,
    targets: ResourceTargets,
    readings: Readings,
    types: AttributeTypes,
    report: ResourceReport,
    *,
    dry_run: bool,
    capacity: Capacity | None,
    capacity_error: str | None,
    allocated: tuple[float | None, str | None],
    read_started: datetime,
) -> None:
    """Diff and (unless dry run) write one resource's allocations and capacity in one transaction.

    ``read_started``: when the ECS reading in ``readings`` began; allocations changed in ColdFront
    since then are not overwritten with it (see the module docstring).
    """
    now = timezone.now()
    plan = Diff()
    with transaction.atomic():
        if not dry_run:
            _lock(resource_id, list(targets.targets))
        rows = _load_rows(resource_id, types)
        changed = _changed_since(resource_id, types, read_started)
        for target in targets.targets.values():
            report.allocations += 1
            if target.error is not None:
                report.failures.append(Failure(target.error, target.allocation_id, target.namespace, target.bucket))
                report.failed += 1
                continue
            _plan_target(
                target,
                rows.pop(target.allocation_id, {}),
                readings,
                types,
                report,
                plan,
                now,
                changed_meanwhile=target.allocation_id in changed,
            )
        rows.clear()
        _plan_capacity(resource_id, types, report, capacity, capacity_error, allocated, now, dry_run)
        if not dry_run:
            report.history_rows += _write(plan, now)


def _plan_capacity(
    resource_id: int,
    types: AttributeTypes,
    report: ResourceReport,
    capacity: Capacity | None,
    capacity_error: str | None,
    allocated: tuple[float | None, str | None],
    now,
    dry_run: bool,
) -> None:
    """capacity_tb / used_tb from the cluster, allocated_tb from the namespace quotas (small: saved directly)."""
    from coldfront.core.resource.models import ResourceAttribute
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    wanted = _capacity_values(report, capacity, capacity_error, allocated)
    existing = {
        type_id: (pk, value, created)
        for pk, type_id, value, created in ResourceAttribute.objects.filter(
            resource_id=resource_id, resource_attribute_type_id__in=list(types.resource.values())
        )
        .order_by("-pk")
        .values_list("pk", "resource_attribute_type_id", "value", "created")
    }
    updates: list = []
    creates: list = []
    for name, new in wanted.items():
        type_id = types.resource[name]
        pk, old, created = existing.get(type_id, (None, None, None))
        if pk is not None and same_number(old, float(new)):
            continue
        report.changes.append(Change("resource", resource_id, name, old, new))
        obj = ResourceAttribute(
            pk=pk,
            resource_id=resource_id,
            resource_attribute_type_id=type_id,
            value=new,
            created=created or now,
            modified=now,
        )
        (updates if pk is not None else creates).append(obj)
    if dry_run:
        return
    history = dict(default_change_reason=CHANGE_REASON, default_date=now)
    if updates:
        bulk_update_with_history(updates, ResourceAttribute, ["value", "modified"], **history)
    if creates:
        bulk_create_with_history(creates, ResourceAttribute, **history)
    report.history_rows += len(updates) + len(creates)


def _capacity_values(
    report: ResourceReport,
    capacity: Capacity | None,
    capacity_error: str | None,
    allocated: tuple[float | None, str | None],
) -> dict[str, str]:
    """The resource attributes' new values; a value not read is left out (kept), and the report says why."""
    wanted: dict[str, str] = {}
    if capacity is not None:
        wanted[attributes.CAPACITY_TB] = format_number(units.gb_to_tb(capacity.total_provisioned_gb))
        wanted[attributes.USED_TB] = format_number(units.gb_to_tb(capacity.used_gb))
    else:
        report.fail(capacity_error or "cluster capacity not read; capacity_tb and used_tb kept")
    allocated_tb, allocated_error = allocated
    if allocated_tb is not None:
        wanted[attributes.ALLOCATED_TB] = format_number(allocated_tb)
    elif allocated_error:
        report.notes.append(f"allocated_tb kept: {allocated_error}")
    return wanted


def mark_synced(targets: ResourceTargets, report: ResourceReport, endpoint: str, cluster_id: str) -> None:
    """Stamp the bindings read without failure; record the cluster id (first sync after the upgrade) and a
    new hostname of the same cluster (2 queries)."""
    from ..models import ECSBinding

    failed = {f.allocation_id for f in report.failures}
    ids = [
        t.binding_id
        for t in targets.targets.values()
        if t.binding_id is not None and t.error is None and t.allocation_id not in failed
    ]
    if not ids:
        return
    now = timezone.now()
    ECSBinding.objects.filter(pk__in=ids).update(last_synced_at=now)
    same_cluster = ECSBinding.objects.filter(pk__in=ids).exclude(endpoint=endpoint)
    if cluster_id:
        same_cluster = same_cluster.filter(cluster_id=cluster_id)
        ECSBinding.objects.filter(pk__in=ids, cluster_id="").update(
            cluster_id=cluster_id, live_key=Concat(Value(f"{cluster_id}|"), F("namespace")), updated=now
        )
    else:
        same_cluster = same_cluster.none()
    same_cluster.update(endpoint=endpoint)
