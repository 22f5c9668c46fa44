"""The sync's decision, as a pure function: (ColdFront's values, ECS's readings) → what to write.

``plan_allocation`` reads nothing and writes nothing: it returns a ``Diff`` with the changes to
report, the failures, the notes, and the model instances to write. The caller (``sync_db``)
decides whether to apply it (not when the allocation changed in ColdFront during the read) and
fills the report. One spelling of numbers (``format_number``), one tolerance (``same_number``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import attributes, units
from ..ecs import Quota
from ..units import same_number  # the one tolerance (sync_db imports same_number from here)
from .sync_report import Change

QUOTA_NAMES = (attributes.QUOTA_TB, attributes.QUOTA_BYTES)


def format_number(value: float) -> str:
    """Shortest exact spelling: "10" rather than "10.0", "0.9765625" rather than a rounded 0.98."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass(slots=True)
class Row:
    """One quota attribute of one allocation, as loaded inside the transaction."""

    pk: int
    allocation_id: int
    type_id: int
    value: str | None
    usage: float | None = None  # None: no usage row


@dataclass
class Readings:
    """The slice of an endpoint reading one resource needs (quota, usage per allocation)."""

    quotas: dict[str, Quota]
    quota_errors: dict[str, str]
    usages: dict[tuple[str, str], int]
    usage_errors: dict[tuple[str, str], str]


@dataclass
class Diff:
    """What one allocation needs: report entries and the rows to write.

    Updates are plain (pk, new value) pairs, not model instances: a first sync updates every row, and
    building a Django model per row cost more than writing it (see ``bulk_write``).
    """

    changes: list[Change] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    update_values: list[tuple[int, str]] = field(default_factory=list)  # (AllocationAttribute pk, value)
    create_values: list = field(default_factory=list)  # (AllocationAttribute, usage or None)
    update_usages: list[tuple[int, float]] = field(default_factory=list)  # (allocation_attribute_id, usage)
    create_usages: list = field(default_factory=list)  # AllocationAttributeUsage

    @property
    def writes(self) -> bool:
        return bool(self.update_values or self.create_values or self.update_usages or self.create_usages)

    def add_writes_to(self, other: Diff) -> None:
        other.update_values += self.update_values
        other.create_values += self.create_values
        other.update_usages += self.update_usages
        other.create_usages += self.create_usages


@dataclass(frozen=True)
class Target:
    """Who is being planned: the allocation and its names on ECS."""

    allocation_id: int
    namespace: str
    bucket: str
    #: frozen or locked storage: ECS's quota is the lifecycle's, not the approved one; sync usage only
    usage_only: bool = False


def expected(name: str, quota: Quota | None, size: int | None, has_usage: bool) -> tuple[str | None, float | None]:
    """(the value ECS says this attribute should hold, its usage); None where ECS did not say."""
    value = None
    if quota is not None and not quota.unlimited:
        gb = quota.block_size_gb
        value = format_number(units.gb_to_tb(gb)) if name == attributes.QUOTA_TB else str(units.gb_to_bytes(gb))
    usage = None
    if size is not None and has_usage:
        usage = float(units.bytes_to_tb(size)) if name == attributes.QUOTA_TB else float(size)
    return value, usage


def _value_unchanged(name: str, row: Row, quota: Quota | None, new_value: str) -> bool:
    if name == attributes.QUOTA_TB and quota is not None:
        return units.same_quota(row.value, quota.block_size_gb)  # an admin's 0.3 stays 0.3
    return same_number(row.value, float(new_value))


def _plan_new_row(
    target: Target,
    name: str,
    type_id: int,
    value: str | None,
    usage: float | None,
    quota: Quota | None,
    now: Any,
    diff: Diff,
) -> None:
    from coldfront.core.allocation.models import AllocationAttribute

    ids = (target.namespace, target.bucket)
    if value is None:
        if usage is not None and quota is not None:  # unlimited: nothing to create the row from
            diff.notes.append(
                f"allocation {target.allocation_id} ({target.namespace}): no {name} attribute; its "
                "usage is not recorded while the quota is unlimited"
            )
        return
    attr = AllocationAttribute(
        allocation_id=target.allocation_id, allocation_attribute_type_id=type_id, value=value, created=now, modified=now
    )
    diff.create_values.append((attr, usage))
    diff.changes.append(Change("allocation", target.allocation_id, name, None, value, *ids))
    if usage is not None:
        diff.changes.append(
            Change("allocation", target.allocation_id, f"usage of {name}", None, format_number(usage), *ids)
        )


def _plan_existing_row(
    target: Target,
    name: str,
    row: Row,
    value: str | None,
    usage: float | None,
    quota: Quota | None,
    now: Any,
    diff: Diff,
) -> None:
    from coldfront.core.allocation.models import AllocationAttributeUsage

    ids = (target.namespace, target.bucket)
    if value is not None and not _value_unchanged(name, row, quota, value):
        diff.update_values.append((row.pk, value))
        diff.changes.append(Change("allocation", target.allocation_id, name, row.value, value, *ids))
    if usage is None or same_number(row.usage, usage):
        return
    if row.usage is None:
        diff.create_usages.append(
            AllocationAttributeUsage(allocation_attribute_id=row.pk, value=usage, created=now, modified=now)
        )
    else:
        diff.update_usages.append((row.pk, usage))
    old = None if row.usage is None else format_number(row.usage)
    diff.changes.append(Change("allocation", target.allocation_id, f"usage of {name}", old, format_number(usage), *ids))


def plan_allocation(
    target: Target, rows: dict[str, Row], readings: Readings, types: dict[str, tuple[int, bool]], now: Any
) -> Diff:
    """Diff one allocation's quota attributes against ECS's readings (no I/O)."""
    diff = Diff()
    ns, bucket = target.namespace, target.bucket
    quota = None if target.usage_only else readings.quotas.get(ns)
    if quota is None and not target.usage_only:
        diff.failures.append(readings.quota_errors.get(ns, f"namespace {ns!r}: quota not read"))
    elif quota is not None and quota.unlimited:
        diff.notes.append(
            f"allocation {target.allocation_id} ({ns}): namespace quota is unlimited (-1); "
            "quota values left as they are"
        )
    size = readings.usages.get((ns, bucket))
    if size is None:
        diff.failures.append(readings.usage_errors.get((ns, bucket), f"bucket {bucket!r}: usage not read"))
    for name in QUOTA_NAMES:
        type_id, has_usage = types[name]
        value, usage = expected(name, quota, size, has_usage)
        row = rows.get(name)
        if row is None:
            _plan_new_row(target, name, type_id, value, usage, quota, now, diff)
        else:
            _plan_existing_row(target, name, row, value, usage, quota, now, diff)
    return diff
