"""The sync's bulk write (services/bulk_write.py) on each database: values, chunks, history rows.

Runs on SQLite, PostgreSQL and MariaDB (``DB_URL``); MariaDB exercises the ``bulk_update`` branch.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.services import bulk_write
from coldfront_ecs_plugin.services.sync_db import CHANGE_REASON, _update_with_history
from harness.sync import make_allocations, make_resource

pytestmark = pytest.mark.django_db


def _attributes(n: int) -> list[int]:
    """``n`` Storage Quota (TB) attributes (with usage rows) on one allocation; their pks."""
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeType, AllocationAttributeUsage

    [alloc] = make_allocations(make_resource("ECS bulk", "127.0.0.1:1"), 1, quota_tb=None)
    kind = AllocationAttributeType.objects.get(name=attributes.QUOTA_TB)
    made = AllocationAttribute.objects.bulk_create(
        [AllocationAttribute(allocation_id=alloc.pk, allocation_attribute_type=kind, value="1") for _ in range(n)]
    )
    pks = sorted(
        AllocationAttribute.objects.filter(allocation_id=alloc.pk, allocation_attribute_type=kind).values_list(
            "pk", flat=True
        )
    )
    assert len(pks) == len(made) == n
    AllocationAttributeUsage.objects.bulk_create([AllocationAttributeUsage(allocation_attribute_id=pk) for pk in pks])
    return pks


def _history(model, pks: list[int]) -> dict[int, tuple]:
    pk_name = model._meta.pk.attname
    return {
        row[0]: row[1:]
        for row in model.history.filter(**{f"{pk_name}__in": pks}).values_list(
            pk_name, "value", "history_type", "history_change_reason", "history_user_id", "history_date", "modified"
        )
    }


@pytest.mark.parametrize("chunk", [7, 5000])
def test_values_and_one_history_row_each_in_chunks(ecs_types, monkeypatch, chunk):
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage

    monkeypatch.setattr(bulk_write, "BATCH_SIZE", chunk)
    pks = _attributes(30)
    now = timezone.now().replace(microsecond=123456)
    before = dict(AllocationAttribute.objects.filter(pk__in=pks).values_list("pk", "created"))

    with CaptureQueriesContext(connection) as ctx:
        assert _update_with_history(AllocationAttribute, [(pk, f"{pk}.5") for pk in pks], now) == 30
        assert _update_with_history(AllocationAttributeUsage, [(pk, pk / 4) for pk in pks], now) == 30

    per_model = 2 if chunk >= 30 else 2 * (-(-30 // chunk))  # an UPDATE and an INSERT per chunk
    assert len(ctx.captured_queries) == 2 * per_model or connection.vendor == "mysql"
    rows = AllocationAttribute.objects.filter(pk__in=pks).values_list("pk", "value", "created", "modified")
    assert {pk: (v, c, m) for pk, v, c, m in rows} == {pk: (f"{pk}.5", before[pk], now) for pk in pks}
    usages = dict(AllocationAttributeUsage.objects.filter(pk__in=pks).values_list("pk", "value"))
    assert usages == {pk: pk / 4 for pk in pks}
    assert _history(AllocationAttribute, pks) == {pk: (f"{pk}.5", "~", CHANGE_REASON, None, now, now) for pk in pks}
    assert _history(AllocationAttributeUsage, pks) == {pk: (pk / 4, "~", CHANGE_REASON, None, now, now) for pk in pks}


def test_sqlite_uses_the_librarys_variable_limit_not_djangos_flag(ecs_types, monkeypatch):
    """A chunk of 1,000 rows carries 3,001 variables: more than Django's 999, within SQLite's own."""
    from coldfront.core.allocation.models import AllocationAttribute

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's variable limit")
    flag = connection.features.max_query_params
    pks = _attributes(bulk_write.CASE_BATCH)
    now = timezone.now()

    with CaptureQueriesContext(connection) as ctx:
        _update_with_history(AllocationAttribute, [(pk, "2") for pk in pks], now)

    assert bulk_write.parameter_limit() >= 3 * len(pks) + 1 > flag == 999
    assert len(ctx.captured_queries) == 2  # one UPDATE, one INSERT … SELECT
    assert connection.features.max_query_params == flag  # Django's feature flag is left alone
    assert set(AllocationAttribute.objects.filter(pk__in=pks).values_list("value", flat=True)) == {"2"}
    monkeypatch.setattr(bulk_write, "parameter_limit", lambda: 999)  # an old SQLite library
    assert bulk_write.chunk_size(3, 1) == 332


def test_a_custom_history_model_falls_back_to_simple_historys_helper(ecs_types, monkeypatch):
    from coldfront.core.allocation.models import AllocationAttribute

    monkeypatch.setattr(bulk_write, "_history_params", lambda *args: None)
    pks = _attributes(3)
    now = timezone.now() - dt.timedelta(days=1)

    _update_with_history(AllocationAttribute, [(pk, "4") for pk in pks], now)

    assert _history(AllocationAttribute, pks) == {pk: ("4", "~", CHANGE_REASON, None, now, now) for pk in pks}


def test_tracked_fields_found_without_simple_historys_list():
    """simple-history 3.2 (ColdFront 1.1.4) has no ``tracked_fields``: the same fields are found by name."""
    from types import SimpleNamespace

    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage

    from coldfront_ecs_plugin.services.bulk_write import _tracked_fields

    for model in (AllocationAttribute, AllocationAttributeUsage):
        history = model.history.model
        old_style = SimpleNamespace(instance_type=history.instance_type, _meta=history._meta)
        expected = {f.attname for f in getattr(history, "tracked_fields", [])} or {"value", "modified", "created"}
        assert {f.attname for f in _tracked_fields(old_style)} >= expected
        assert {f.attname for f in _tracked_fields(old_style)} == {f.attname for f in _tracked_fields(history)}
