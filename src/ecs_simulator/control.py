"""The ``/_sim/...`` control API (not ECS): inject usage/capacity/faults, read stats and state, reset.

No authentication, no faults, not counted in stats — tests drive the simulator through it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .errors import ApiError, not_found
from .util import as_long, body_dict

if TYPE_CHECKING:
    from .api import Reply, Request, Simulator


def handle(sim: Simulator, req: Request) -> Reply:
    from .api import Reply

    action = CONTROL.get((req.method, req.path.rstrip("/")))
    if action is None:
        return Reply(404, ApiError(404, 2000, f"No control endpoint {req.method} {req.path}").body())
    try:
        return Reply(200, action(sim, body_dict(req.body) if req.method == "POST" else {}))
    except ApiError as err:
        return Reply(err.status, err.body())
    except (ValueError, TypeError, KeyError) as exc:
        return Reply(400, ApiError(400, 1008, f"Bad control request: {exc}").body())


def usage(sim: Simulator, body: dict[str, Any]) -> dict:
    ns, name = body["namespace"], body["bucket"]
    bucket = sim.state.buckets.get(ns, {}).get(name)
    if bucket is None:
        raise not_found(f"{ns}/{name}")
    size, objects = as_long(body.get("size_bytes", 0), "size_bytes"), as_long(body.get("objects", 0), "objects")
    if size < 0 or objects < 0:
        raise ValueError("size_bytes and objects must be >= 0")
    bucket["size_bytes"], bucket["objects"] = size, objects
    sim.changed()
    return {"namespace": ns, "bucket": name, "size_bytes": size, "objects": objects}


def capacity(sim: Simulator, body: dict[str, Any]) -> dict:
    cap = {"total_provisioned_gb": float(body["total_provisioned_gb"]), "total_free_gb": float(body["total_free_gb"])}
    sim.state.capacity = cap
    sim.changed()
    return cap


def faults(sim: Simulator, body: dict[str, Any]) -> dict:
    return sim.faults.update(body).to_dict()


def get_faults(sim: Simulator, body: dict[str, Any]) -> dict:
    return sim.faults.config.to_dict()


def stats(sim: Simulator, body: dict[str, Any]) -> dict:
    return sim.stats()


def reset(sim: Simulator, body: dict[str, Any]) -> dict:
    sim.reset()
    return {}


def state(sim: Simulator, body: dict[str, Any]) -> dict:
    """Whole state, e.g. for "nothing left on ECS" assertions; secret key values are included (test data)."""
    return json.loads(sim.snapshot())


def mgmt_user(sim: Simulator, body: dict[str, Any]) -> dict:
    """Add a management user with given roles (e.g. SYSTEM_MONITOR) to exercise 403s."""
    roles = list(body.get("roles") or ["SYSTEM_MONITOR"])
    sim.auth.users[str(body["user"])] = (str(body["password"]), roles)
    return {"user": body["user"], "roles": roles}


CONTROL = {
    ("POST", "/_sim/usage"): usage,
    ("POST", "/_sim/capacity"): capacity,
    ("POST", "/_sim/faults"): faults,
    ("GET", "/_sim/faults"): get_faults,
    ("GET", "/_sim/stats"): stats,
    ("POST", "/_sim/reset"): reset,
    ("GET", "/_sim/state"): state,
    ("POST", "/_sim/mgmt-users"): mgmt_user,
}
