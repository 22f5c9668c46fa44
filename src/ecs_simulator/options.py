"""Run-time behaviour switches that are not faults: billing lag, expired-token answer, concurrency cap.

Each is a command-line option and a ``POST /_sim/faults`` key (``billing_lag_s``, ``expired_token``,
``max_concurrent``, ``max_bulk_namespaces``); a key left out of a ``/_sim/faults`` body returns to
its command-line value, as ``/_sim/reset`` does.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

EXPIRED_TOKEN_ANSWERS = (401, 302)
KEYS = ("billing_lag_s", "expired_token", "max_concurrent", "max_bulk_namespaces")


@dataclass(frozen=True)
class Options:
    billing_lag_s: float = 0.0  # usage reaches billing this late (ECS samples every few minutes)
    expired_token: int = 401  # 302 = redirect to /login, what ECS sends a client that does not follow
    max_concurrent: int = 0  # > 0: management calls beyond this many in flight get 503/6000
    max_bulk_namespaces: int = 0  # > 0: bulk namespace billing refuses longer lists (400/1014)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, payload: dict[str, Any]) -> Options:
        """These options with the ``payload`` keys applied (validated); absent keys keep their value."""
        changes: dict[str, Any] = {}
        if "billing_lag_s" in payload:
            changes["billing_lag_s"] = number(payload["billing_lag_s"], "billing_lag_s", maximum=86400.0)
        if "expired_token" in payload:
            changes["expired_token"] = expired_token(payload["expired_token"])
        for key in ("max_concurrent", "max_bulk_namespaces"):
            if key in payload:
                changes[key] = integer(payload[key], key)
        return replace(self, **changes)


def number(value: Any, name: str, *, minimum: float = 0.0, maximum: float = math.inf) -> float:
    """A finite number within [minimum, maximum]; booleans, strings, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result) or not minimum <= result <= maximum:
        raise ValueError(f"{name} must be within [{minimum:g}, {maximum:g}], got {value!r}")
    return result


def integer(value: Any, name: str, *, minimum: int = 0, maximum: int = 10**9) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not value.is_integer())
    ):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    result = int(value)
    if not minimum <= result <= maximum:
        raise ValueError(f"{name} must be within [{minimum}, {maximum}], got {value!r}")
    return result


def expired_token(value: Any) -> int:
    code = int(value) if isinstance(value, int | str) and str(value).strip() in ("401", "302") else 0
    if isinstance(value, bool) or code not in EXPIRED_TOKEN_ANSWERS:
        raise ValueError(f"expired_token must be 401 or 302, got {value!r}")
    return code
