"""Scalar readers for ECS JSON: numbers as strings, booleans as ``"false"``, XML root wrappers.

ECS is loose about types (``"total_size": "10240"`` next to ``"total_objects": 4``), so every
reader accepts the spellings seen on real systems and raises ``ECSMalformedResponse`` for anything
else: guessing a value for a body we did not understand would silently corrupt ColdFront's data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ECSMalformedResponse

KB = 1024
# ECS billing sizes are binary (live 3.8: 10,000,000 bytes reported as 9765.625 KB); ObjectScale 4.x
# adds KiB/MiB/GiB/BYTE and documents KB/MB/GB as their legacy spellings.
SIZE_UNITS: dict[str, int] = {
    "B": 1,
    "BYTE": 1,
    "BYTES": 1,
    "KB": KB,
    "KIB": KB,
    "MB": KB**2,
    "MIB": KB**2,
    "GB": KB**3,
    "GIB": KB**3,
    "TB": KB**4,
    "TIB": KB**4,
}

_MISSING = object()


def bad(message: str) -> ECSMalformedResponse:
    return ECSMalformedResponse(message)


def unwrap(data: Any, *roots: str) -> dict[str, Any]:
    """Return the object itself, or its content when it is ``{"<xml root>": {...}}``."""
    if not isinstance(data, Mapping):
        raise bad(f"expected a JSON object, got {type(data).__name__}")
    if len(data) == 1:
        ((key, inner),) = data.items()
        if key in roots and isinstance(inner, Mapping):
            return dict(inner)
    return dict(data)


def field(data: Mapping[str, Any], *names: str, default: Any = _MISSING) -> Any:
    """First present, non-null value among ``names``; ``default`` or ECSMalformedResponse otherwise."""
    for name in names:
        value = data.get(name)
        if value is not None:
            return value
    if default is _MISSING:
        raise bad(f"required field {' / '.join(names)!r} missing from ECS response")
    return default


def to_decimal(value: Any, name: str = "value") -> Decimal:
    """Exact decimal from a JSON number or numeric string (``"6835.9375"``)."""
    if isinstance(value, bool):
        raise bad(f"{name}: expected a number, got a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise bad(f"{name}: not a finite number")
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise bad(f"{name}: {value[:40]!r} is not a number") from None
        if not result.is_finite():
            raise bad(f"{name}: not a finite number")
        return result
    raise bad(f"{name}: expected a number, got {type(value).__name__}")


def to_int(value: Any, name: str = "value") -> int:
    """Integer from ``4``, ``"4"``, ``4.0`` or ``"4.0"``; a fractional value is malformed."""
    number = to_decimal(value, name)
    if number != number.to_integral_value():
        raise bad(f"{name}: expected an integer, got {value!r}")
    return int(number)


def to_float(value: Any, name: str = "value") -> float:
    return float(to_decimal(value, name))


def to_bool(value: Any, name: str = "value") -> bool:
    """Boolean from ``True``/``"true"``/``"True"``/``"false"``/0/1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad(f"{name}: expected a boolean, got {value!r}"[:120])


def to_str(value: Any, name: str = "value") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise bad(f"{name}: expected a string, got {type(value).__name__}")


def opt_str(data: Mapping[str, Any], *names: str) -> str | None:
    value = field(data, *names, default=None)
    if value is None or value == "":
        return None
    return to_str(value, names[0])


def opt_datetime(data: Mapping[str, Any], name: str) -> datetime | None:
    """An ECS timestamp as aware UTC; None when absent or unreadable (it only tells how old usage is)."""
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read "Z"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def list_field(data: Mapping[str, Any], name: str) -> list[Any]:
    """A JSON array field; absent or null means empty.  A lone object (XML-to-JSON style) counts as one item."""
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    if not isinstance(value, list):
        raise bad(f"{name}: expected an array, got {type(value).__name__}")
    return value


def size_to_bytes(size: Any, unit: Any = "KB", name: str = "total_size") -> int:
    """Billing size in ``unit`` to whole bytes (KB = KiB = 1024, half rounds to even like ``round``)."""
    unit_key = to_str(unit, "total_size_unit").strip().upper() if unit is not None else "KB"
    if unit_key not in SIZE_UNITS:
        raise bad(f"unknown billing size unit {unit_key[:10]!r}")
    amount = to_decimal(size, name)
    if amount < 0:
        raise bad(f"{name}: negative size {size!r}")
    return int((amount * SIZE_UNITS[unit_key]).to_integral_value())


def billing_size_bytes(data: Mapping[str, Any]) -> int:
    """``total_size`` + ``total_size_unit`` (3.x+), else ``total_size_in_gb`` (2.x); never defaults to 0."""
    if data.get("total_size") is not None:
        return size_to_bytes(data["total_size"], data.get("total_size_unit") or "KB")
    if data.get("total_size_in_gb") is not None:
        return size_to_bytes(data["total_size_in_gb"], "GB", "total_size_in_gb")
    raise bad("billing response has neither total_size nor total_size_in_gb")


def next_marker(data: Mapping[str, Any]) -> str | None:
    """Continuation marker under any of the spellings ECS versions use; None when done."""
    for key in ("NextMarker", "next_marker", "nextMarker"):
        value = data.get(key)
        if value not in (None, ""):
            return to_str(value, key)
    return None
