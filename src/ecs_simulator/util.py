"""Lenient parsing helpers matching how ECS (Java/Jackson) reads requests."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from .errors import ApiError, invalid

MISSING: Any = object()  # no request body at all


def _no_constant(name: str) -> Any:
    """Jackson refuses NaN/Infinity literals by default; so does ECS."""
    raise ValueError(f"non-standard number {name}")


def parse_body(raw: bytes) -> Any:
    """JSON body, or MISSING; a double-encoded string such as ``"{}"`` (python-ecsclient) is decoded twice."""
    if not raw or not raw.strip():
        return MISSING
    try:
        value = json.loads(raw, parse_constant=_no_constant)
        if isinstance(value, str):
            value = json.loads(value, parse_constant=_no_constant) if value.strip() else MISSING
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, 1013, f"Unable to parse request body: {exc}") from None
    return value


def body_dict(raw: bytes) -> dict[str, Any]:
    value = parse_body(raw)
    if value is MISSING:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, 1013, "Request body must be a JSON object")
    return value


def text(body: dict[str, Any], key: str, *, required: bool = False) -> str:
    """A string field ("" when absent); other JSON types are ECS's 400/1008, never a 500."""
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise ApiError(400, 1005, f"{key} is required")
        return ""
    if not isinstance(value, str):
        raise invalid(f"{key} must be a string, got {type(value).__name__}")
    return value


def str_list(value: Any, key: str) -> list[str]:
    """A list of strings (a lone string counts as a list of one, as Jackson reads it)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{key} must be a list of strings")
    return value


def as_bool(value: Any, default: bool = False) -> bool:
    """Booleans as JSON bools or case-insensitive strings (python-ecsclient sends ``True``)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid(f"Can not construct instance of java.lang.Boolean from value '{value}'")


def as_long(value: Any, field: str) -> int:
    """An integer as Jackson accepts it for a ``long``: int, integral float or numeric string."""
    if isinstance(value, bool) or value is None:
        raise invalid(f"{field} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise invalid(f"{field} must be an integer, got {value!r}")


def check_quota(block: Any, notification: Any, *, both_unset_ok: bool) -> tuple[int, int]:
    """Quota rule from ecs-api.md §5.6/§6.7: integers >=1 or -1, notification <= block."""
    if block is None or notification is None:
        raise ApiError(400, 1005, "blockSize and notificationSize are both required")
    b, n = as_long(block, "blockSize"), as_long(notification, "notificationSize")
    for name, v in (("blockSize", b), ("notificationSize", n)):
        if v < 1 and v != -1:
            raise invalid(f"{name} must be a positive integer or -1, got {v}")
    if b > 0 and n > b:
        raise invalid(f"notificationSize ({n}) must not exceed blockSize ({b})")
    if b == -1 and n == -1 and not both_unset_ok:
        raise invalid("blockSize and notificationSize cannot both be -1; delete the quota instead")
    return b, n


def size_in(unit_bytes: int, size_bytes: int) -> str:
    """Billing size as ECS 3.8 sends it: a numeric string in binary units (KB = 1024 bytes)."""
    value = size_bytes / unit_bytes
    return str(int(value)) if value.is_integer() else repr(value)


def size_unit(query: dict[str, str], units: dict[str, int]) -> tuple[str, int]:
    """(canonical unit name, bytes per unit) for ``sizeunit`` (default GB), case-insensitive."""
    raw = query.get("sizeunit") or "GB"
    for name, factor in units.items():
        if name.upper() == raw.upper():
            return name, factor
    raise invalid(f"sizeunit must be one of {', '.join(units)}, got {raw!r}")


def iso_now(epoch: float | None = None) -> str:
    """``yyyy-MM-dd'T'HH:mm:ss'Z'``, ECS's billing time format (ecs-api.md section 7.1)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def iso_ms_now() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def key_timestamp(epoch: float | None = None) -> str:
    """Secret-key timestamps look like ``2015-12-14 05:13:32.616`` on ECS."""
    epoch = time.time() if epoch is None else epoch
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}"


def page(names: list[str], query: dict[str, str], default_limit: int = 1000) -> tuple[list[str], str | None, int]:
    """One page of sorted ``names`` after ``marker`` (empty = start); returns (page, next_marker, limit)."""
    raw = query.get("limit") or ""
    try:
        limit = int(raw) if raw else default_limit
    except ValueError:
        raise invalid(f"limit must be an integer, got {raw!r}") from None
    if limit < 1:
        raise invalid(f"limit must be positive, got {limit}")
    prefix = query.get("name") or ""
    if prefix:
        names = (
            [n for n in names if n.startswith(prefix[:-1])]
            if prefix.endswith("*")
            else [n for n in names if n == prefix]
        )
    marker = query.get("marker") or ""
    if marker:
        names = [n for n in names if n > marker]
    chunk = names[:limit]
    return chunk, (chunk[-1] if len(names) > limit else None), limit
