"""The sync's pure planning function: (ColdFront's values, ECS's readings) → changes, with no I/O."""

from __future__ import annotations

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.ecs import Quota
from coldfront_ecs_plugin.services.sync_plan import Readings, Row, Target, plan_allocation

TB, BYTES = attributes.QUOTA_TB, attributes.QUOTA_BYTES
TYPES = {TB: (1, True), BYTES: (2, True)}
TARGET = Target(7, "ns", "b")


def _rows(tb: str, quota_bytes: str, usage_tb: float | None = None, usage_bytes: float | None = None) -> dict:
    return {TB: Row(10, 7, 1, tb, usage=usage_tb), BYTES: Row(11, 7, 2, quota_bytes, usage=usage_bytes)}


def _readings(gb: int | None, size: int | None) -> Readings:
    quotas = {} if gb is None else {"ns": Quota(gb, gb)}
    usages = {} if size is None else {("ns", "b"): size}
    return Readings(quotas, {"ns": "namespace 'ns' not found on ECS"} if gb is None else {}, usages, {})


def test_an_admins_value_at_the_same_gb_is_not_rewritten():
    diff = plan_allocation(TARGET, _rows("0.3", str(307 * 2**30), 0.0, 0.0), _readings(307, 0), TYPES, None)
    assert diff.changes == [] and not diff.writes and diff.failures == []


def test_a_different_quota_and_new_usage_are_planned_not_written():
    diff = plan_allocation(TARGET, _rows("1", str(2**40), 0.0, 0.0), _readings(2048, 2**40), TYPES, None)
    assert [(c.name, c.old, c.new) for c in diff.changes] == [
        (TB, "1", "2"),
        (f"usage of {TB}", "0", "1"),
        (BYTES, str(2**40), str(2**41)),
        (f"usage of {BYTES}", "0", str(2**40)),
    ]
    assert len(diff.update_values) == 2 and len(diff.update_usages) == 2


def test_an_unread_quota_is_a_failure_and_only_usage_moves():
    diff = plan_allocation(TARGET, _rows("1", str(2**40), 0.0, 0.0), _readings(None, 2**30), TYPES, None)
    assert diff.failures == ["namespace 'ns' not found on ECS"]
    assert {c.name for c in diff.changes} == {f"usage of {TB}", f"usage of {BYTES}"}
    assert diff.update_values == []


def test_an_unlimited_quota_leaves_values_and_says_so():
    readings = Readings({"ns": Quota(-1, -1)}, {}, {("ns", "b"): 0}, {})
    diff = plan_allocation(TARGET, _rows("1", str(2**40), 0.0, 0.0), readings, TYPES, None)
    assert diff.changes == [] and "unlimited" in diff.notes[0]
