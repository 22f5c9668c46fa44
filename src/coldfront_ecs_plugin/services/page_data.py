"""What the staff page shows, computed from the database only (the page never calls ECS).

Why here and not in the views: the same figures feed the CSV export and the tests, and a view
should only parse the request and render.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from .. import attributes
from ..models import BindingState
from ..report_models import ReportKind
from . import report_store
from .charts import capacity_chart, overcommit
from .display import to_float
from .history import load_series, month_bounds, summarise
from .usage_rows import UsageRow, load_rows

SORT_KEYS = {
    "project": lambda r: r.project.lower(),
    "pi": lambda r: r.pi.lower(),
    "resource": lambda r: r.resource.lower(),
    "namespace": lambda r: r.namespace,
    "bucket": lambda r: r.bucket,
    "quota": lambda r: r.quota_tb,
    "used": lambda r: r.used_tb,
    "percent": lambda r: r.percent_used,
    "state": lambda r: r.state,
    "synced": lambda r: r.last_synced_at,
    "allocation": lambda r: r.allocation_id,
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadInput(ValueError):
    """A query parameter the page cannot use; the message is shown with a 400 status."""


@dataclass
class Filters:
    resource_id: int | None = None
    state: str | None = None
    sort: str = "project"
    descending: bool = False


def parse_filters(query: Mapping[str, str], resource_ids: set[int]) -> Filters:
    """``?resource=<id>&state=<state>&sort=<column>&dir=asc|desc``; anything else is a BadInput."""
    found = Filters()
    resource = query.get("resource", "")
    if resource:
        if not resource.isdigit() or int(resource) not in resource_ids:
            raise BadInput(f"resource must be the id of an ECS resource, got {resource[:40]!r}")
        found.resource_id = int(resource)
    state = query.get("state", "")
    if state:
        if state not in BindingState.values:
            raise BadInput(f"state must be one of {', '.join(BindingState.values)}, got {state[:40]!r}")
        found.state = state
    sort = query.get("sort", "project") or "project"
    if sort not in SORT_KEYS:
        raise BadInput(f"sort must be one of {', '.join(SORT_KEYS)}, got {sort[:40]!r}")
    direction = query.get("dir", "asc") or "asc"
    if direction not in ("asc", "desc"):
        raise BadInput(f"dir must be asc or desc, got {direction[:40]!r}")
    found.sort, found.descending = sort, direction == "desc"
    return found


def parse_month(text: str | None, today: dt.date | None = None) -> tuple[int, int]:
    """``YYYY-MM`` (default: the current month); a later month than the current one is refused."""
    today = today or timezone.localdate()
    if not text:
        return today.year, today.month
    match = MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise BadInput(f"month must be YYYY-MM, e.g. {today:%Y-%m}, got {text[:40]!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if (year, month) > (today.year, today.month):
        raise BadInput(f"month {text} has not begun yet")
    return year, month


def parse_days(text: str | None, default: int = 90) -> int:
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 3660:
        raise BadInput(f"days must be a whole number from 1 to 3660, got {text[:40]!r}")
    return int(text)


@dataclass
class ResourceCard:
    resource_id: int
    name: str
    capacity_tb: float | None
    used_tb: float | None
    allocated_tb: float | None
    bound_tb: float | None
    overcommit: float | None
    chart: str
    bindings: int
    last_sync: dict[str, Any] | None = None
    failures: list[str] = field(default_factory=list)


def resource_cards(resources: list, rows: list[UsageRow]) -> list[ResourceCard]:
    """Per resource: the synced capacity attributes, the bound share and the last sync's result for it."""
    from coldfront.core.resource.models import ResourceAttribute

    values: dict[tuple[int, str], float | None] = {}
    for resource_id, name, value in (
        ResourceAttribute.objects.filter(
            resource__in=resources,
            resource_attribute_type__name__in=[attributes.CAPACITY_TB, attributes.USED_TB, attributes.ALLOCATED_TB],
        )
        .order_by("pk")
        .values_list("resource_id", "resource_attribute_type__name", "value")
    ):
        values[(resource_id, name)] = to_float(value)
    last = report_store.latest(ReportKind.SYNC)
    results = report_store.resource_results(last)
    cards = []
    for resource in resources:
        active = [r for r in rows if r.resource_id == resource.pk and r.state == BindingState.ACTIVE]
        bound = sum(r.quota_tb for r in active if r.quota_tb is not None) if active else None
        capacity, used, allocated = (
            values.get((resource.pk, n)) for n in (attributes.CAPACITY_TB, attributes.USED_TB, attributes.ALLOCATED_TB)
        )
        card = ResourceCard(
            resource.pk,
            resource.name,
            capacity,
            used,
            allocated,
            bound,
            overcommit(allocated, capacity),
            capacity_chart(capacity, used, allocated, bound, title=resource.name),
            len(active),
        )
        result = results.get(resource.pk)
        if result is not None and last is not None:
            card.last_sync = {
                "when": last.created,
                "ok": not result.get("failures"),
                "updated": result.get("updated", 0),
                "failed": result.get("failed", 0),
            }
            card.failures = [f.get("reason", "") for f in result.get("failures", [])][:20]
        cards.append(card)
    return cards


def drift_by_allocation() -> tuple[Any, dict[int, list[str]]]:
    """The last drift report and allocation id → the kinds of drift it found for that allocation."""
    last = report_store.latest(ReportKind.RECONCILE)
    flags: dict[int, list[str]] = {}
    for item in last.data.get("drift", []) if last else []:
        if item.get("allocation_id") is not None and not item.get("fixed"):
            flags.setdefault(item["allocation_id"], []).append(item["kind"])
    return last, flags


def table(filters: Filters) -> list[UsageRow]:
    """The bindings table, filtered and sorted (rows without a value sort last either way)."""
    rows = load_rows(
        resource_ids=None if filters.resource_id is None else [filters.resource_id],
        states=None if filters.state is None else [filters.state],
    )
    _last, flags = drift_by_allocation()
    for row in rows:
        row.drift = flags.get(row.allocation_id, [])
    key = SORT_KEYS[filters.sort]
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=key, reverse=filters.descending)
    return present + missing


CSV_HEADER = [
    "month",
    "allocation_id",
    "project",
    "pi",
    "resource",
    "namespace",
    "bucket",
    "avg_used_tb",
    "peak_used_tb",
    "used_tb_months",
    "quota_tb",
    "quota_tb_months",
    "days_with_data",
]


def usage_csv_rows(year: int, month: int, now: dt.datetime | None = None) -> list[list[str]]:
    """One row per allocation with usage data in the month (chargeback: averages, peak, TB-months)."""
    start, month_end = month_bounds(year, month)
    end = min(month_end, now or timezone.now())
    rows = [r for r in load_rows() if r.allocation_id is not None]
    series = load_series([r.allocation_id for r in rows], start, end)
    month_seconds = (month_end - start).total_seconds()
    out = []
    for row in sorted(rows, key=lambda r: (r.resource, r.project.lower(), r.allocation_id)):
        one = series.get(row.allocation_id)
        if one is None or not one.used:
            continue
        used = summarise(one.used, start, end, month_seconds)
        if not used.covered_days:
            continue
        quota = summarise(one.quota, start, end, month_seconds)
        out.append(
            [
                f"{year:04d}-{month:02d}",
                str(row.allocation_id),
                row.project,
                row.pi,
                row.resource,
                row.namespace,
                row.bucket,
                _tb(used.average),
                _tb(used.peak),
                _tb(used.tb_months),
                _tb(quota.last),
                _tb(quota.tb_months),
                f"{used.covered_days:.2f}",
            ]
        )
    return out


def _tb(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
