"""Login/logout/whoami, capacity, replication groups and the local VDC."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..errors import not_found
from ..messages import Reply
from ..util import as_bool
from .common import Json, Params

if TYPE_CHECKING:
    from ..api import Request, Simulator


def login(sim: Simulator, req: Request, params: Params, user: str | None) -> Reply:
    token = sim.auth.login(req.authorization)
    name = sim.auth.tokens[token].user
    return Reply(200, {"user": name}, (("X-SDS-AUTH-TOKEN", token),))


def logout(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    force = as_bool(req.query.get("force"), False)
    return {"user": sim.auth.logout(req.token or "", force)}


def whoami(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    return {
        "common_name": user,
        "distinguished_name": "",
        "namespace": "",
        "roles": sim.auth.roles(user),
        "last_time_password_changed": "2024-01-01T00:00:00Z",
    }


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def capacity(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    cap = sim.state.capacity
    return {"totalProvisioned_gb": _num(cap["total_provisioned_gb"]), "totalFree_gb": _num(cap["total_free_gb"])}


def list_replication_groups(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    return {"data_service_vpool": sim.state.replication_groups}


def get_replication_group(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    rg = sim.state.rg_by_id(params["id"])
    if rg is None:
        raise not_found(params["id"])
    return rg


def local_vdc(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    """``GET /object/vdcs/vdc/local``: fields of ECS's ``vdc`` element (ECS REST API, ZoneInfoService
    getLocalVdc; ECSHell ``Get-ECSlocalvdc`` reads ``vdcId``/``vdcName``, ecs-field-notes.md)."""
    vdc_id, name = sim.state.vdc["id"], sim.state.vdc["name"]
    link: dict[str, Any] = {"rel": "self", "href": f"/object/vdcs/vdcid/{vdc_id}"}
    return {
        "vdcId": vdc_id,
        "vdcName": name,
        "id": vdc_id,
        "name": name,
        "interVdcEndPoints": sim.host,
        "interVdcCmdEndPoints": sim.host,
        "managementEndPoints": sim.host,
        "secretKeys": hashlib.sha256(("ecs-sim-vdc-secret/" + vdc_id).encode()).hexdigest()[:40],
        "permanentlyFailed": False,
        "local": True,
        "hosted": False,
        "is_encryption_enabled": False,
        "link": link,
        "creation_time": 1700000000000,
        "inactive": False,
        "global": False,
        "remote": False,
        "vdc": {"id": vdc_id, "link": link},
        "tags": [],
    }
