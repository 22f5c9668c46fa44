"""Seeded fault injection: which call fails, and how, is reproducible from the seed and call order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

KINDS = ("500", "503", "drop", "slow")
MAX_SLOW_MS = 30000


@dataclass
class FaultConfig:
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    seed: int = 0
    endpoints: dict[str, float] = field(default_factory=dict)
    slow_ms: int = 2000
    kinds: tuple[str, ...] = KINDS

    def to_dict(self) -> dict[str, Any]:
        return {"latency_ms": self.latency_ms, "fail_rate": self.fail_rate, "seed": self.seed,
                "endpoints": dict(self.endpoints), "slow_ms": self.slow_ms, "kinds": list(self.kinds)}


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
        cfg = FaultConfig(
            latency_ms=float(payload.get("latency_ms") or 0),
            fail_rate=_rate(payload.get("fail_rate") or 0),
            seed=int(payload["seed"]) if payload.get("seed") is not None else self.default.seed,
            endpoints={str(k): _rate(v) for k, v in (payload.get("endpoints") or {}).items()},
            slow_ms=min(int(payload.get("slow_ms") if payload.get("slow_ms") is not None else 2000), MAX_SLOW_MS),
            kinds=tuple(payload.get("kinds") or KINDS),
        )
        bad = [k for k in cfg.kinds if k not in KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {list(KINDS)}")
        self.configure(cfg)
        return cfg

    def reset(self) -> None:
        """Back to the command-line settings (no faults unless --fail-rate/--latency-ms were given)."""
        self.configure(FaultConfig(**{**self.default.__dict__, "endpoints": dict(self.default.endpoints)}))

    def decide(self, endpoint: str) -> str | None:
        """Return None (no fault) or one of KINDS; consumes the stream only for calls that may fail."""
        cfg = self.config
        rate = cfg.endpoints.get(endpoint, cfg.fail_rate)
        if rate <= 0:
            return None
        if self.rng.random() >= rate:
            return None
        return self.rng.choice(cfg.kinds)


def _rate(value: Any) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fail rate must be within [0, 1], got {value!r}")
    return rate
