"""The ``/_sim/...`` control API (not ECS): inject usage/capacity/faults, read stats and state, reset.

No authentication, no faults, not counted in stats — tests drive the simulator through it.
Bodies are validated: a wrong type, a negative or non-finite number is a 400, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import usage as usage_log
from .errors import ApiError, not_found
from .messages import Reply
from .options import KEYS as OPTION_KEYS
from .options import number
from .util import as_long, body_dict

if TYPE_CHECKING:
    from .api import Request, Simulator

FAULT_KEYS = ("latency_ms", "fail_rate", "seed", "endpoints", "slow_ms", "kinds")


def handle(sim: Simulator, req: Request) -> Reply:
    action = CONTROL.get((req.method, req.path.rstrip("/")))
    if action is None:
        return Reply(404, ApiError(404, 2000, f"No control endpoint {req.method} {req.path}").body())
    try:
        return Reply(200, action(sim, body_dict(req.body) if req.method == "POST" else {}))
    except ApiError as err:
        return Reply(err.status, err.body())
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return Reply(400, ApiError(400, 1008, f"Bad control request: {exc}").body())


def _string(body: dict[str, Any], key: str) -> str:
    value = body[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def usage(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Set a bucket's usage; billing shows it ``billing_lag_s`` later."""
    ns, name = _string(body, "namespace"), _string(body, "bucket")
    bucket = sim.state.buckets.get(ns, {}).get(name)
    if bucket is None:
        raise not_found(f"{ns}/{name}")
    size, objects = as_long(body.get("size_bytes", 0), "size_bytes"), as_long(body.get("objects", 0), "objects")
    if size < 0 or objects < 0:
        raise ValueError("size_bytes and objects must be >= 0")
    usage_log.record(bucket, size, objects, sim.options.billing_lag_s)
    sim.changed()
    return {"namespace": ns, "bucket": name, "size_bytes": size, "objects": objects}


def capacity(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    cap = {key: number(body[key], key, maximum=1e15) for key in ("total_provisioned_gb", "total_free_gb")}
    sim.state.capacity = cap
    sim.changed()
    return cap


def faults(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Replace fault settings and options; a key left out returns to its command-line value."""
    unknown = sorted(set(body) - set(FAULT_KEYS) - set(OPTION_KEYS))
    if unknown:
        raise ValueError(f"unknown keys {unknown}; known: {sorted(FAULT_KEYS + OPTION_KEYS)}")
    options = sim.default_options.updated(body)  # validate everything before changing anything
    config = sim.faults.update({k: v for k, v in body.items() if k in FAULT_KEYS})
    sim.options = options
    return {**config.to_dict(), **options.to_dict()}


def get_faults(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    return {**sim.faults.config.to_dict(), **sim.options.to_dict()}


def stats(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    return sim.stats()


def reset(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    sim.reset()
    return {}


def state(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Whole state, e.g. for "nothing left on ECS" assertions; secret key values are included (test data)."""
    data: dict[str, Any] = json.loads(sim.snapshot())
    data["profile"] = sim.profile.name
    return data


def mgmt_user(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Add a management user with given roles (e.g. SYSTEM_MONITOR) to exercise 403s."""
    roles = body.get("roles") or ["SYSTEM_MONITOR"]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ValueError("roles must be a list of strings")
    user = _string(body, "user")
    sim.auth.users[user] = (_string(body, "password"), list(roles))
    return {"user": user, "roles": roles}


CONTROL: dict[tuple[str, str], Callable[[Simulator, dict[str, Any]], dict[str, Any]]] = {
    ("POST", "/_sim/usage"): usage,
    ("POST", "/_sim/capacity"): capacity,
    ("POST", "/_sim/faults"): faults,
    ("GET", "/_sim/faults"): get_faults,
    ("GET", "/_sim/stats"): stats,
    ("POST", "/_sim/reset"): reset,
    ("GET", "/_sim/state"): state,
    ("POST", "/_sim/mgmt-users"): mgmt_user,
}
