"""Namespace endpoints: list/get/create/update/deactivate and the namespace quota."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, invalid
from ..util import as_bool, as_long, body_dict, check_quota, page, str_list, text
from .common import Json, Params, get_ns, vpool

if TYPE_CHECKING:
    from ..api import Request, Simulator

NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def ns_view(ns: Json) -> Json:
    name = ns["name"]
    return {
        "id": name,
        "name": name,
        "inactive": False,
        "link": {"rel": "self", "href": f"/object/namespaces/namespace/{name}"},
        "global": None,
        "remote": None,
        "vdc": None,
        "default_data_services_vpool": ns["default_data_services_vpool"],
        "allowed_vpools_list": list(ns["allowed_vpools_list"]),
        "disallowed_vpools_list": list(ns["disallowed_vpools_list"]),
        "namespace_admins": ns["namespace_admins"] or "",
        "external_group_admins": ns["external_group_admins"] or "",
        "user_mapping": ns["user_mapping"],
        "default_bucket_block_size": ns["default_bucket_block_size"],
        "is_encryption_enabled": "true" if ns["is_encryption_enabled"] else "false",
        "is_stale_allowed": ns["is_stale_allowed"],
        "is_compliance_enabled": ns["is_compliance_enabled"],
        "is_object_lock_with_ado_allowed": False,
        "default_audit_delete_expiration": -1,
        "retention_classes": {"retention_class": []},
        "blockSize": ns["blockSize"],
        "notificationSize": ns["notificationSize"],
        "blockSizeInCount": -1,
        "notificationSizeInCount": -1,
        "root_user_name": "",
        "tags": [],
    }


def list_item(ns: Json, with_quotas: bool) -> Json:
    """ECS 3.1-style items carry only id/name/link (python-ecsclient NAMESPACES schema); 3.8+/4.1 the lot."""
    if with_quotas:
        return ns_view(ns)
    name = ns["name"]
    return {"id": name, "name": name, "link": {"rel": "self", "href": f"/object/namespaces/namespace/{name}"}}


def list_namespaces(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    names, nxt, limit = page(sorted(sim.state.namespaces), req.query)
    quotas = sim.profile.namespace_list_quotas
    out: Json = {
        "namespace": [list_item(sim.state.namespaces[n], quotas) for n in names],
        "Filter": "",
        "MaxNamespaces": limit,
    }
    if nxt:
        out["NextMarker"] = nxt
    return out


def get_namespace(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    return ns_view(get_ns(sim, params["namespace"]))


def _mapping(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise invalid("user_mapping must be a list")
    return value


def create_namespace(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    body = body_dict(req.body)
    name = body.get("namespace")
    if not name:
        raise ApiError(400, 1005, "namespace is required")
    if not isinstance(name, str) or not NAMESPACE_RE.match(name):
        raise invalid(f"Invalid namespace name {name!r}: use 1-255 of [A-Za-z0-9_-]")
    if name in sim.state.namespaces:
        raise ApiError(400, 1015, f"Namespace {name} already exists")
    default_vpool = body.get("default_data_services_vpool") or sim.state.replication_groups[0]["id"]
    ns = {
        "name": name,
        "default_data_services_vpool": vpool(sim, default_vpool, "default_data_services_vpool"),
        "allowed_vpools_list": [
            vpool(sim, v, "allowed_vpools_list")
            for v in str_list(body.get("allowed_vpools_list"), "allowed_vpools_list")
        ],
        "disallowed_vpools_list": [
            vpool(sim, v, "disallowed_vpools_list")
            for v in str_list(body.get("disallowed_vpools_list"), "disallowed_vpools_list")
        ],
        "namespace_admins": text(body, "namespace_admins"),
        "external_group_admins": text(body, "external_group_admins"),
        "user_mapping": _mapping(body.get("user_mapping")),
        "default_bucket_block_size": _block_default(body.get("default_bucket_block_size")),
        "is_encryption_enabled": as_bool(body.get("is_encryption_enabled")),
        "is_stale_allowed": as_bool(body.get("is_stale_allowed")),
        "is_compliance_enabled": as_bool(body.get("compliance_enabled", body.get("is_compliance_enabled"))),
        "blockSize": -1,
        "notificationSize": -1,
    }
    sim.state.namespaces[name] = ns
    sim.state.buckets[name] = {}
    return ns_view(ns)


def _block_default(value: Any) -> int:
    if value is None:
        return -1
    size = as_long(value, "default_bucket_block_size")
    if size < 1 and size != -1:
        raise invalid("default_bucket_block_size must be a positive integer or -1")
    return size


def update_namespace(sim: Simulator, req: Request, params: Params, user: str) -> None:
    ns = get_ns(sim, params["namespace"])
    body = body_dict(req.body)
    changes: Json = {}
    if body.get("default_data_services_vpool"):
        changes["default_data_services_vpool"] = vpool(sim, body["default_data_services_vpool"], "vpool")
    allowed, disallowed = list(ns["allowed_vpools_list"]), list(ns["disallowed_vpools_list"])
    for key, target, add in (
        ("vpools_added_to_allowed_vpools_list", allowed, True),
        ("vpools_removed_from_allowed_vpools_list", allowed, False),
        ("vpools_added_to_disallowed_vpools_list", disallowed, True),
        ("vpools_removed_from_disallowed_vpools_list", disallowed, False),
    ):
        for urn in str_list(body.get(key), key):
            vpool(sim, urn, key)
            if add and urn not in target:
                target.append(urn)
            elif not add and urn in target:
                target.remove(urn)
    changes["allowed_vpools_list"], changes["disallowed_vpools_list"] = allowed, disallowed
    for key in ("namespace_admins", "external_group_admins"):
        if body.get(key) is not None:
            changes[key] = text(body, key)
    if body.get("user_mapping") is not None:
        changes["user_mapping"] = _mapping(body["user_mapping"])
    if body.get("default_bucket_block_size") is not None:
        changes["default_bucket_block_size"] = _block_default(body["default_bucket_block_size"])
    for key in ("is_encryption_enabled", "is_stale_allowed", "is_compliance_enabled"):
        if body.get(key) is not None:
            changes[key] = as_bool(body[key])
    ns.update(changes)  # only after every field validated: a refused update changes nothing


def delete_namespace(sim: Simulator, req: Request, params: Params, user: str) -> None:
    name = params["namespace"]
    get_ns(sim, name)
    if sim.state.buckets.get(name):
        raise ApiError(400, 1020, f"Namespace {name} still has {len(sim.state.buckets[name])} bucket(s)")
    del sim.state.namespaces[name]
    sim.state.buckets.pop(name, None)
    for uid in [u for u, rec in sim.state.users.items() if rec["namespace"] == name]:
        del sim.state.users[uid]


def get_namespace_quota(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    ns = get_ns(sim, params["namespace"])
    return {
        "namespace": ns["name"],
        "blockSize": ns["blockSize"],
        "notificationSize": ns["notificationSize"],
        "blockSizeInCount": -1,
        "notificationSizeInCount": -1,
    }


def set_namespace_quota(sim: Simulator, req: Request, params: Params, user: str) -> None:
    ns = get_ns(sim, params["namespace"])
    body = body_dict(req.body)
    ns["blockSize"], ns["notificationSize"] = check_quota(
        body.get("blockSize"), body.get("notificationSize"), both_unset_ok=True
    )


def delete_namespace_quota(sim: Simulator, req: Request, params: Params, user: str) -> None:
    ns = get_ns(sim, params["namespace"])
    ns["blockSize"] = ns["notificationSize"] = -1
