"""Seeded fault injection: which call fails, and how, is reproducible from the seed and call order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .options import integer, number

KINDS = ("500", "503", "drop", "slow")
#: only when named in ``kinds``: "absent" answers 404/2000 as an ECS release without that call does
OPT_IN_KINDS = ("absent",)
#: longest wait a call may be given (latency, slow): 10 minutes, a hung ECS for any worker or task timeout
MAX_SLOW_MS = 600_000


@dataclass
class FaultConfig:
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    seed: int = 0
    endpoints: dict[str, float] = field(default_factory=dict)
    slow_ms: int = 2000
    kinds: tuple[str, ...] = KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "fail_rate": self.fail_rate,
            "seed": self.seed,
            "endpoints": dict(self.endpoints),
            "slow_ms": self.slow_ms,
            "kinds": list(self.kinds),
        }


class Faults:
    """Decides a fault per ECS call *before* it is handled, so a failed call never changes state.

    Not thread-safe by itself: the simulator calls ``decide`` under its lock, which fixes the
    order in which concurrent requests consume the random stream.
    """

    def __init__(self, config: FaultConfig) -> None:
        self.default = config
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)

    def update(self, payload: dict[str, Any]) -> FaultConfig:
        """Replace the settings from a ``/_sim/faults`` body; re-seeding restarts the sequence."""
        endpoints = payload.get("endpoints") or {}
        if not isinstance(endpoints, dict):
            raise ValueError('endpoints must be an object {"METHOD /template": rate}')
        kinds = payload.get("kinds") or list(KINDS)
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise ValueError("kinds must be a list of strings")
        bad = [k for k in kinds if k not in KINDS + OPT_IN_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {list(KINDS + OPT_IN_KINDS)}")
        slow = payload.get("slow_ms")
        cfg = FaultConfig(
            latency_ms=number(payload.get("latency_ms") or 0, "latency_ms", maximum=MAX_SLOW_MS),
            fail_rate=_rate(payload.get("fail_rate") or 0),
            seed=integer(payload["seed"], "seed", maximum=2**63)
            if payload.get("seed") is not None
            else self.default.seed,
            endpoints={str(k): _rate(v) for k, v in endpoints.items()},
            slow_ms=min(integer(slow if slow is not None else 2000, "slow_ms", maximum=10**9), MAX_SLOW_MS),
            kinds=tuple(kinds),
        )
        self.configure(cfg)
        return cfg

    def reset(self) -> None:
        """Back to the command-line settings (no faults unless --fail-rate/--latency-ms were given)."""
        self.configure(FaultConfig(**{**self.default.__dict__, "endpoints": dict(self.default.endpoints)}))

    def decide(self, endpoint: str) -> str | None:
        """Return None (no fault) or one of KINDS; consumes the stream only for calls that may fail.

        ``slow`` takes effect after ``slow_ms`` but its answer is lost (connection closed), so a
        rate of 1.0 fails every call even for a client whose timeout exceeds ``slow_ms``.
        """
        cfg = self.config
        rate = cfg.endpoints.get(endpoint, cfg.fail_rate)
        if rate <= 0:
            return None
        if self.rng.random() >= rate:
            return None
        return self.rng.choice(cfg.kinds)


def _rate(value: Any) -> float:
    return number(value, "fail rate", maximum=1.0)
