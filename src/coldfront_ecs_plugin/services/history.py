"""Usage and quota over time, from the history rows ColdFront already keeps (django-simple-history).

A value holds from its history row until the next one (``ecs_sync`` writes a row only when a value
changes), so a period starts with the last value recorded before it. Months are in the site's
time zone. Everything here is 3 queries per call, whatever the number of allocations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .. import attributes
from .display import to_float

Point = tuple[dt.datetime, float]


@dataclass
class Series:
    """One allocation's ``Storage Quota (TB)`` usage and value, each a sorted list of (time, TB)."""

    allocation_id: int
    used: list[Point]
    quota: list[Point]


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) of the month in the current time zone, as UTC."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    # in UTC: Python subtracts two times of one zone as wall-clock times, which a DST change would skew
    return start.astimezone(dt.timezone.utc), following.astimezone(dt.timezone.utc)


def load_series(allocation_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> dict[int, Series]:
    """allocation id → its series over [start, end), each beginning with the value carried in at ``start``."""
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage

    usage_history = AllocationAttributeUsage.history.model.objects
    value_history = AllocationAttribute.history.model.objects
    attrs = (
        AllocationAttribute.objects.filter(
            allocation_id__in=list(allocation_ids), allocation_attribute_type__name=attributes.QUOTA_TB
        )
        .order_by("pk")
        .annotate(
            used_before=_last_before(usage_history, "allocation_attribute_id", start),
            quota_before=_last_before(value_history, "id", start),
        )
        .values_list("pk", "allocation_id", "used_before", "quota_before")
    )
    series: dict[int, Series] = {}
    owner: dict[int, Series] = {}
    for attr_pk, allocation_id, used_before, quota_before in attrs:
        if allocation_id in series:
            continue  # the first attribute wins, as ColdFront's get_attribute
        one = series[allocation_id] = owner[attr_pk] = Series(allocation_id, [], [])
        if used_before is not None:
            one.used.append((start, float(used_before)))
        quota_value = to_float(quota_before)
        if quota_value is not None:
            one.quota.append((start, quota_value))
    for attr_pk, moment, value in _in_window(usage_history, "allocation_attribute_id", list(owner), start, end):
        owner[attr_pk].used.append((moment, float(value)))
    for attr_pk, moment, value in _in_window(value_history, "id", list(owner), start, end):
        quota_value = to_float(value)
        if quota_value is not None:
            owner[attr_pk].quota.append((moment, quota_value))
    return series


def _last_before(history, attribute_key: str, start: dt.datetime) -> Subquery:
    """The attribute's last recorded value before ``start`` (deletions skipped), as a subquery."""
    return Subquery(
        history.filter(**{attribute_key: OuterRef("pk")}, history_date__lt=start)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .values("value")[:1]
    )


def _in_window(history, attribute_key: str, attribute_ids: list[int], start: dt.datetime, end: dt.datetime):
    """(attribute id, moment, value) of every change in [start, end), oldest first (deletions skipped)."""
    return (
        history.filter(**{f"{attribute_key}__in": attribute_ids}, history_date__gte=start, history_date__lt=end)
        .exclude(history_type="-")
        .order_by("history_date", "history_id")
        .values_list(attribute_key, "history_date", "value")
    )


@dataclass(frozen=True)
class Stats:
    """A step series summarised over a period: time-weighted mean over the covered part, peak, TB-months."""

    average: float | None
    peak: float | None
    last: float | None
    tb_months: float
    covered_days: float


def summarise(points: list[Point], start: dt.datetime, end: dt.datetime, month_seconds: float) -> Stats:
    """Integrate the step function over [start, end); time before the first point is not covered."""
    integral, covered, peak, last = 0.0, 0.0, None, None
    for index, (moment, value) in enumerate(points):
        begin = max(moment, start)
        stop = min(points[index + 1][0], end) if index + 1 < len(points) else end
        if stop <= begin and index + 1 < len(points):
            continue
        seconds = max((stop - begin).total_seconds(), 0.0)
        integral += value * seconds
        covered += seconds
        peak = value if peak is None else max(peak, value)
        last = value
    average = integral / covered if covered else (last if last is not None else None)
    return Stats(average, peak, last, integral / month_seconds if month_seconds else 0.0, covered / 86400)
