"""What the ECS client does with values ECS (or something pretending to be it) sends: a value it
cannot read exactly is ECSMalformedResponse naming the field, never a guess such as 0."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from coldfront_ecs_plugin.ecs import ECSMalformedResponse
from coldfront_ecs_plugin.ecs import values as v


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: v.to_decimal(math.inf, "total_size"), "total_size: not a finite number"),
        (lambda: v.to_decimal("NaN", "total_size"), "total_size: not a finite number"),
        (lambda: v.to_decimal([1], "total_size"), "total_size: expected a number, got list"),
        (lambda: v.to_decimal(True, "blockSize"), "blockSize: expected a number, got a boolean"),
        (lambda: v.to_int("4.5", "notificationSize"), "notificationSize: expected an integer, got '4.5'"),
        (lambda: v.to_bool("maybe", "inactive"), "inactive: expected a boolean, got 'maybe'"),
        (lambda: v.to_bool(2, "inactive"), "inactive: expected a boolean, got 2"),
        (lambda: v.to_str(None, "name"), "name: expected a string, got NoneType"),
        (lambda: v.list_field({"bucket": "b1"}, "bucket"), "bucket: expected an array, got str"),
        (lambda: v.size_to_bytes("-1", "KB"), "total_size: negative size '-1'"),
        (lambda: v.size_to_bytes("1", "PB"), "unknown billing size unit 'PB'"),
    ],
)
def test_unreadable_values_are_malformed_not_guessed(call, message):
    with pytest.raises(ECSMalformedResponse, match=message):
        call()


def test_readable_spellings():
    assert v.to_int("4.0") == 4 and v.to_float("6835.9375") == 6835.9375
    assert (v.to_bool(" True "), v.to_bool(0), v.to_str(7)) == (True, False, "7")
    assert v.list_field({"x": None}, "x") == [] and v.list_field({"x": {"a": 1}}, "x") == [{"a": 1}]
    assert v.size_to_bytes("1.5", "kb") == 1536 and v.size_to_bytes(1, None) == 1024


def test_timestamps_are_utc_or_none():
    naive = v.opt_datetime({"t": "2025-01-01T12:00:00"}, "t")
    assert naive == datetime(2025, 1, 1, 12, tzinfo=timezone.utc)
    shifted = v.opt_datetime({"t": "2025-01-01T13:00:00+01:00"}, "t")
    assert shifted == naive and shifted.tzinfo == timezone.utc
    assert v.opt_datetime({"t": "2025-01-01T12:00:00Z"}, "t") == naive
    assert v.opt_datetime({"t": "yesterday"}, "t") is None and v.opt_datetime({}, "t") is None
