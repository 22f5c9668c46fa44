"""The chargeback CSV against planted history rows (no ECS needed)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.services.history import month_bounds
from harness.sync import ensure_types, make_allocations, make_resource
from page.conftest import login


def _last_month() -> tuple[int, int]:
    from django.utils import timezone

    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def _plant(allocation_id: int, usage: list[tuple[dt.datetime, float]], quota: list[tuple[dt.datetime, str]]) -> None:
    """Replace the allocation's Storage Quota (TB) history with exactly these rows."""
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage

    attr = AllocationAttribute.objects.get(
        allocation_id=allocation_id, allocation_attribute_type__name=attributes.QUOTA_TB
    )
    usage_history = AllocationAttributeUsage.history.model.objects
    value_history = AllocationAttribute.history.model.objects
    usage_history.filter(allocation_attribute_id=attr.pk).delete()
    value_history.filter(id=attr.pk).delete()
    row = attr.allocationattributeusage
    for moment, value in usage:
        row.value = value
        row.save()
        latest = usage_history.filter(allocation_attribute_id=attr.pk).order_by("-history_id").first()
        usage_history.filter(pk=latest.pk).update(history_date=moment)
    for moment, value in quota:
        attr.value = value
        attr.save()
        latest = value_history.filter(id=attr.pk).order_by("-history_id").first()
        value_history.filter(pk=latest.pk).update(history_date=moment)


@pytest.fixture
def planted(db, page_urls, sim):
    ensure_types()
    resource = make_resource("ECS csv cluster", sim.host_port)
    billed, idle = make_allocations(resource, 2, quota_tb="10")
    year, month = _last_month()
    start, end = month_bounds(year, month)
    day = dt.timedelta(days=1)
    _plant(
        billed.pk,
        [(start - 5 * day, 2.0), (start + 10 * day, 4.0), (start + 20 * day, 1.0), (end + day, 9.0)],
        [(start - 10 * day, "10"), (start + 15 * day, "12")],
    )
    _plant(idle.pk, [(end + day, 3.0)], [(end + day, "10")])  # nothing before the month's end
    return billed, (year, month), (start, end)


def test_csv_figures_match_planted_history(client, planted):
    from django.contrib.auth.models import User

    billed, (year, month), (start, end) = planted
    login(client, User.objects.create_user("csvstaff", is_staff=True))
    response = client.get(f"/ecs/usage.csv?month={year:04d}-{month:02d}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1  # the idle allocation has no data in the month
    row = rows[0]
    day = dt.timedelta(days=1)
    seconds = (end - start).total_seconds()  # a DST change makes it one hour more or less than N days
    ten_days, rest = (10 * day).total_seconds(), (end - start - 20 * day).total_seconds()
    average = (2.0 * ten_days + 4.0 * ten_days + 1.0 * rest) / seconds
    assert row["allocation_id"] == str(billed.pk)
    assert row["month"] == f"{year:04d}-{month:02d}"
    assert float(row["avg_used_tb"]) == pytest.approx(average, abs=1e-4)
    assert float(row["used_tb_months"]) == pytest.approx(average, abs=1e-4)  # the whole month is covered
    assert row["peak_used_tb"] == "4.0000"
    assert row["quota_tb"] == "12.0000"
    fifteen = (15 * day).total_seconds()
    assert float(row["quota_tb_months"]) == pytest.approx((10 * fifteen + 12 * (seconds - fifteen)) / seconds, abs=1e-4)
    assert row["days_with_data"] == f"{seconds / 86400:.2f}"
