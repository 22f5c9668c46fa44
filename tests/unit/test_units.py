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
