"""Every unit conversion the plugin makes, in one place.

ECS quotas are whole "GB" that ECS enforces as GiB (2**30 bytes).  ColdFront's
``Storage Quota (TB)`` is therefore read as TiB: 1 TB = 1024 ECS GB = 2**40 bytes.
Billing sizes with ``sizeunit=KB`` are KiB (1024 bytes), as live ECS 3.8 shows.
"""

from __future__ import annotations

import math

GB_PER_TB = 1024
BYTES_PER_GB = 2**30
BYTES_PER_TB = 2**40
BYTES_PER_KB = 1024
#: 1 EiB: far above any ECS cluster, and small enough that bytes fit a signed 64-bit integer
MAX_QUOTA_TB = 2**20
#: relative tolerance for "the same number" (float noise only; quotas compare at GB granularity)
REL_TOL = 1e-9


class QuotaValueError(ValueError):
    """A quota that cannot become a valid ECS quota."""


def tb_to_gb(tb: float) -> int:
    """TB (TiB) to whole ECS GB; refuses zero, negatives, NaN and sub-GB values."""
    if not isinstance(tb, (int, float)) or isinstance(tb, bool) or math.isnan(tb) or math.isinf(tb):
        raise QuotaValueError(f"quota {tb!r} TB is not a number")
    if tb <= 0:
        raise QuotaValueError(f"quota must be greater than 0 TB, got {tb:g}")
    if tb > MAX_QUOTA_TB:
        raise QuotaValueError(f"quota {tb:g} TB is too large (at most {MAX_QUOTA_TB} TB, 1 EiB)")
    gb = round(tb * GB_PER_TB)
    if gb < 1:
        raise QuotaValueError(f"quota {tb:g} TB is below ECS's minimum of 1 GB")
    return int(gb)


def gb_to_tb(gb: float) -> float:
    return gb / GB_PER_TB


def tb_to_bytes(tb: float) -> int:
    return round(tb * BYTES_PER_TB)


def gb_to_bytes(gb: float) -> int:
    return round(gb * BYTES_PER_GB)


def bytes_to_tb(size_bytes: float) -> float:
    return size_bytes / BYTES_PER_TB


def kb_to_bytes(kb: float) -> int:
    return round(kb * BYTES_PER_KB)


def notification_gb(block_gb: int, percent: float) -> int:
    """Soft quota as ``percent`` of the hard quota, at least 1 GB and never above it."""
    return max(1, min(block_gb, math.floor(block_gb * percent / 100.0)))


def same_number(old: str | float | None, new: float) -> bool:
    """True when a stored value already says ``new`` ("10" == 10.0); unreadable means different.

    The plugin's one tolerance: the sync and the records service both decide "unchanged" with it.
    """
    if old is None:
        return False
    try:
        return math.isclose(float(old), float(new), rel_tol=REL_TOL, abs_tol=0.0)
    except (TypeError, ValueError):
        return False


def format_tb(tb: float, places: int = 6) -> str:
    """A TB value for people and attributes: no float noise, no needless '.0' (the one TB formatter)."""
    text = f"{tb:.{places}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def quota_bytes(tb: float) -> int:
    """The bytes ECS enforces for a quota of ``tb`` TB: whole GB, times 2**30."""
    return gb_to_bytes(tb_to_gb(tb))


def same_quota(tb_text: object, block_gb: int) -> bool:
    """True when a ColdFront TB value maps to exactly the GB ECS enforces (0.3 TB == 307 GB)."""
    try:
        return tb_to_gb(float(str(tb_text))) == block_gb
    except (TypeError, ValueError):
        return False
