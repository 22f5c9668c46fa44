import math

import pytest

from coldfront_ecs_plugin import units


def test_one_tb_is_1024_ecs_gb_and_2_pow_40_bytes():
    assert units.tb_to_gb(1) == 1024
    assert units.tb_to_bytes(1) == 2**40
    assert units.kb_to_bytes(6835.9375) == 7_000_000


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, 1e-9])
def test_invalid_quota_refused(bad):
    with pytest.raises(units.QuotaValueError):
        units.tb_to_gb(bad)


def test_notification_is_percentage_clamped():
    assert units.notification_gb(1024, 90) == 921
    assert units.notification_gb(1, 90) == 1


def test_absurd_quota_refused_before_any_ecs_call():
    with pytest.raises(units.QuotaValueError, match="too large"):
        units.tb_to_gb(1e30)
    assert units.tb_to_gb(units.MAX_QUOTA_TB) == units.MAX_QUOTA_TB * 1024


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("10", 10.0, True),  # another spelling of the same number
        ("10.0", 10, True),
        (0.1 + 0.2, 0.3, True),  # float noise
        ("0.9765625", 0.9765625, True),
        ("10", 10.000001, False),  # a real change, however small in TB
        ("0", 1e-12, False),  # no absolute slack: a zero is only the same as a zero
        ("0", 0.0, True),
        (None, 0.0, False),  # no value yet
        ("", 1.0, False),  # unreadable means different
        ("ten", 10.0, False),
    ],
)
def test_same_number_is_the_one_tolerance(old, new, same):
    assert units.same_number(old, new) is same


def test_records_and_the_sync_plan_share_the_one_tolerance():
    """The records service and the sync decide "unchanged" with the same function, not a copy."""
    from coldfront_ecs_plugin.services import records, sync_plan

    assert records.same_number is units.same_number
    assert sync_plan.same_number is units.same_number
