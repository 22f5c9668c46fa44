"""How TB values are shown to people: a precision that fits the size, always with the unit.

Why not ``units.format_tb``: that one keeps every digit for attributes; a page or an email wants
"3.50 TB" rather than "3.5000152587890625".
"""

from __future__ import annotations

import math


def tb_text(tb: float | None, *, unit: bool = True) -> str:
    """3 significant figures (at most 3 decimals, whole TB from 100 up); "—" when unknown."""
    if tb is None or (isinstance(tb, float) and (math.isnan(tb) or math.isinf(tb))):
        return "—"
    size = abs(tb)
    if size == 0:
        text = "0"
    elif size >= 100:
        text = f"{tb:,.0f}"
    elif size >= 10:
        text = f"{tb:.1f}"
    elif size >= 1:
        text = f"{tb:.2f}"
    elif size >= 0.001:
        text = f"{tb:.3f}"
    else:
        text = "< 0.001" if tb > 0 else "> -0.001"
    return f"{text} TB" if unit else text


def percent_text(part: float | None, whole: float | None) -> str:
    """ "42 %" (one decimal under 10 %); "—" when the whole is unknown or zero."""
    value = percent(part, whole)
    if value is None:
        return "—"
    return f"{value:.1f} %" if value < 10 else f"{value:.0f} %"


def percent(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return 100.0 * part / whole


def to_float(text: object) -> float | None:
    """A stored attribute value as a number, or None when absent or unreadable."""
    if text is None:
        return None
    try:
        value = float(str(text))
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value
