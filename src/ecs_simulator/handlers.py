"""ECS management endpoints: each handler reads/changes ``State`` under the simulator lock.

Handlers get ``(sim, req, params, user)`` and return a JSON-able body (or None for ECS's
empty 200) or a ``Reply``; they raise ``ApiError`` for ECS's error answers.
"""

from __future__ import annotations

import base64
import os
import re
import time
from typing import TYPE_CHECKING, Any

from .errors import ApiError, invalid, not_found
from .routes import Route
from .util import (
    MISSING,
    as_bool,
    as_long,
    body_dict,
    check_quota,
    iso_ms_now,
    iso_now,
    key_timestamp,
    page,
    parse_body,
    size_in,
    size_unit,
)

if TYPE_CHECKING:
    from .api import Reply, Request, Simulator

NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
BUCKET_RE = re.compile(r"^[A-Za-z0-9-][A-Za-z0-9._-]{0,254}$")
IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


# -- auth ----------------------------------------------------------------------------------
def login(sim: Simulator, req: Request, params: dict, user: str | None) -> Reply:
    from .api import Reply

    token = sim.auth.login(req.authorization)
    name = sim.auth.tokens[token].user
    return Reply(200, {"user": name}, (("X-SDS-AUTH-TOKEN", token),))


def logout(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    force = as_bool(req.query.get("force"), False)
    return {"user": sim.auth.logout(req.token or "", force)}


def whoami(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    return {"common_name": user, "distinguished_name": "", "namespace": "",
            "roles": sim.auth.roles(user), "last_time_password_changed": "2024-01-01T00:00:00Z"}


# -- namespaces ----------------------------------------------------------------------------
def _ns(sim: Simulator, name: str | None) -> dict[str, Any]:
    ns = sim.state.namespaces.get(name or "")
    if ns is None:
        raise not_found(name or "")
    return ns


def ns_view(ns: dict[str, Any]) -> dict[str, Any]:
    name = ns["name"]
    return {
        "id": name, "name": name, "inactive": False,
        "link": {"rel": "self", "href": f"/object/namespaces/namespace/{name}"},
        "global": None, "remote": None, "vdc": None,
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
        "blockSize": ns["blockSize"], "notificationSize": ns["notificationSize"],
        "blockSizeInCount": -1, "notificationSizeInCount": -1,
        "root_user_name": "", "tags": [],
    }


def _vpool(sim: Simulator, urn: Any, field: str) -> str:
    if not isinstance(urn, str) or sim.state.rg_by_id(urn) is None:
        raise invalid(f"{field}: unknown replication group {urn!r}")
    return urn


def list_namespaces(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    names, nxt, limit = page(sorted(sim.state.namespaces), req.query)
    out: dict[str, Any] = {"namespace": [ns_view(sim.state.namespaces[n]) for n in names], "Filter": "",
                           "MaxNamespaces": limit}
    if nxt:
        out["NextMarker"] = nxt
    return out


def get_namespace(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    return ns_view(_ns(sim, params["namespace"]))


def create_namespace(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    body = body_dict(req.body)
    name = body.get("namespace")
    if not name:
        raise ApiError(400, 1005, "namespace is required")
    if not isinstance(name, str) or not NAMESPACE_RE.match(name):
        raise invalid(f"Invalid namespace name {name!r}: use 1-255 of [A-Za-z0-9_-]")
    if name in sim.state.namespaces:
        raise ApiError(400, 1015, f"Namespace {name} already exists")
    rgs = sim.state.replication_groups
    vpool = body.get("default_data_services_vpool") or rgs[0]["id"]
    ns = {
        "name": name,
        "default_data_services_vpool": _vpool(sim, vpool, "default_data_services_vpool"),
        "allowed_vpools_list": [_vpool(sim, v, "allowed_vpools_list") for v in body.get("allowed_vpools_list") or []],
        "disallowed_vpools_list": [_vpool(sim, v, "disallowed_vpools_list")
                                   for v in body.get("disallowed_vpools_list") or []],
        "namespace_admins": body.get("namespace_admins") or "",
        "external_group_admins": body.get("external_group_admins") or "",
        "user_mapping": body.get("user_mapping") or [],
        "default_bucket_block_size": _block_default(body.get("default_bucket_block_size")),
        "is_encryption_enabled": as_bool(body.get("is_encryption_enabled")),
        "is_stale_allowed": as_bool(body.get("is_stale_allowed")),
        "is_compliance_enabled": as_bool(body.get("compliance_enabled", body.get("is_compliance_enabled"))),
        "blockSize": -1, "notificationSize": -1,
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


def update_namespace(sim: Simulator, req: Request, params: dict, user: str) -> None:
    ns = _ns(sim, params["namespace"])
    body = body_dict(req.body)
    changes: dict[str, Any] = {}
    if body.get("default_data_services_vpool"):
        changes["default_data_services_vpool"] = _vpool(sim, body["default_data_services_vpool"], "vpool")
    allowed, disallowed = list(ns["allowed_vpools_list"]), list(ns["disallowed_vpools_list"])
    for key, target, add in (("vpools_added_to_allowed_vpools_list", allowed, True),
                             ("vpools_removed_from_allowed_vpools_list", allowed, False),
                             ("vpools_added_to_disallowed_vpools_list", disallowed, True),
                             ("vpools_removed_from_disallowed_vpools_list", disallowed, False)):
        for urn in body.get(key) or []:
            _vpool(sim, urn, key)
            if add and urn not in target:
                target.append(urn)
            elif not add and urn in target:
                target.remove(urn)
    changes["allowed_vpools_list"], changes["disallowed_vpools_list"] = allowed, disallowed
    for key in ("namespace_admins", "external_group_admins", "user_mapping"):
        if body.get(key) is not None:
            changes[key] = body[key]
    if body.get("default_bucket_block_size") is not None:
        changes["default_bucket_block_size"] = _block_default(body["default_bucket_block_size"])
    for key in ("is_encryption_enabled", "is_stale_allowed", "is_compliance_enabled"):
        if body.get(key) is not None:
            changes[key] = as_bool(body[key])
    ns.update(changes)  # only after every field validated: a refused update changes nothing
    return None


def delete_namespace(sim: Simulator, req: Request, params: dict, user: str) -> None:
    name = params["namespace"]
    _ns(sim, name)
    if sim.state.buckets.get(name):
        raise ApiError(400, 1020, f"Namespace {name} still has {len(sim.state.buckets[name])} bucket(s)")
    del sim.state.namespaces[name]
    sim.state.buckets.pop(name, None)
    for uid in [u for u, rec in sim.state.users.items() if rec["namespace"] == name]:
        del sim.state.users[uid]
    return None


def get_namespace_quota(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    ns = _ns(sim, params["namespace"])
    return {"namespace": ns["name"], "blockSize": ns["blockSize"], "notificationSize": ns["notificationSize"],
            "blockSizeInCount": -1, "notificationSizeInCount": -1}


def set_namespace_quota(sim: Simulator, req: Request, params: dict, user: str) -> None:
    ns = _ns(sim, params["namespace"])
    body = body_dict(req.body)
    ns["blockSize"], ns["notificationSize"] = check_quota(body.get("blockSize"), body.get("notificationSize"),
                                                          both_unset_ok=True)
    return None


def delete_namespace_quota(sim: Simulator, req: Request, params: dict, user: str) -> None:
    ns = _ns(sim, params["namespace"])
    ns["blockSize"] = ns["notificationSize"] = -1
    return None


# -- buckets -------------------------------------------------------------------------------
def _bucket(sim: Simulator, namespace: str | None, name: str) -> dict[str, Any]:
    if not namespace:
        raise ApiError(400, 1005, "namespace is required")
    _ns(sim, namespace)
    bucket = sim.state.buckets.get(namespace, {}).get(name)
    if bucket is None:
        raise not_found(name)
    return bucket


def bucket_view(b: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": b["name"], "id": f"{b['namespace']}.{b['name']}", "namespace": b["namespace"],
        "link": {"rel": "self", "href": f"/object/bucket/{b['name']}"},
        "created": b["created"], "owner": b["owner"], "vpool": b["vpool"], "api_type": b["api_type"],
        "fs_access_enabled": b["fs_access_enabled"], "is_stale_allowed": b["is_stale_allowed"],
        "is_tso_read_only": False, "locked": False,
        "is_encryption_enabled": "true" if b["is_encryption_enabled"] else "false",
        "default_retention": 0, "retention": 0, "auto_commit_period": 0,
        "block_size": b["block_size"], "notification_size": b["notification_size"],
        "blockSizeInCount": -1, "notificationSizeInCount": -1, "softquota": str(b["notification_size"]),
        "TagSet": b["tags"], "tags": [],
        "search_metadata": {"search_enabled": False, "max_keys": 0, "metadata": []},
        "is_object_lock_enabled": False, "is_object_lock_with_ado_allowed": False,
        "inactive": False, "global": None, "remote": None, "vdc": None,
    }


def valid_bucket_name(name: Any) -> bool:
    return (isinstance(name, str) and bool(BUCKET_RE.match(name)) and not name.endswith(".")
            and ".." not in name and not IPV4_RE.match(name))


def create_bucket(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    body = body_dict(req.body)
    name = body.get("name")
    if not name:
        raise ApiError(400, 1005, "name is required")
    if not valid_bucket_name(name):
        raise ApiError(400, 40009, f"Invalid bucket name {name!r}")
    namespace = body.get("namespace")
    if not namespace:
        raise ApiError(400, 1005, "namespace is required")
    ns = _ns(sim, namespace)
    if name in sim.state.buckets[namespace]:
        raise ApiError(400, 40008, f"Bucket {name} already exists in namespace {namespace}")
    vpool = _vpool(sim, body.get("vpool") or ns["default_data_services_vpool"], "vpool")
    if (ns["allowed_vpools_list"] and vpool not in ns["allowed_vpools_list"]) or vpool in ns["disallowed_vpools_list"]:
        raise invalid(f"Unable to use provided VPool {vpool} in namespace {namespace}")
    if body.get("blockSize") is not None or body.get("notificationSize") is not None:
        block, notification = check_quota(body.get("blockSize", -1) if body.get("blockSize") is not None else -1,
                                          body.get("notificationSize") if body.get("notificationSize") is not None
                                          else -1, both_unset_ok=True)
    else:
        block, notification = ns["default_bucket_block_size"], -1
    fs = as_bool(body.get("filesystem_enabled"))
    head = (body.get("head_type") or "s3").lower()
    if head not in ("s3", "swift", "atmos", "cas"):
        raise invalid(f"head_type {head!r} is not supported")
    tags = body.get("TagSet") or []
    sim.state.buckets[namespace][name] = {
        "name": name, "namespace": namespace, "owner": user, "vpool": vpool, "created": iso_ms_now(),
        "api_type": head.upper(), "fs_access_enabled": fs,
        "is_stale_allowed": as_bool(body.get("is_stale_allowed")),
        "is_encryption_enabled": as_bool(body.get("is_encryption_enabled")),
        "block_size": block, "notification_size": notification, "tags": tags,
        "size_bytes": 0, "objects": 0,
    }
    return {"id": f"{namespace}.{name}", "name": name, "inactive": False, "global": None, "remote": None,
            "vdc": None, "tags": [], "TagSet": tags,
            "metaData": {"search_enabled": False, "max_keys": 0, "metadata": []}}


def list_buckets(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    namespace = req.query.get("namespace")
    if not namespace:
        raise ApiError(400, 1005, "namespace is required")
    _ns(sim, namespace)
    buckets = sim.state.buckets[namespace]
    names, nxt, limit = page(sorted(buckets), req.query)
    out: dict[str, Any] = {"object_bucket": [bucket_view(buckets[n]) for n in names],
                           "MaxBuckets": limit, "Filter": f"namespace={namespace}"}
    if nxt:
        out["NextMarker"] = nxt
    return out


def get_bucket(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    return bucket_view(_bucket(sim, req.query.get("namespace"), params["bucket"]))


def delete_bucket(sim: Simulator, req: Request, params: dict, user: str) -> Any:
    from .api import Reply

    namespace = req.query.get("namespace")
    bucket = _bucket(sim, namespace, params["bucket"])
    empty = as_bool(req.query.get("emptyBucket"), False)
    if (bucket["objects"] or bucket["size_bytes"]) and not empty:
        raise ApiError(400, 1025, f"Bucket {bucket['name']} is not empty")
    del sim.state.buckets[namespace][bucket["name"]]  # type: ignore[index]
    return Reply(202) if empty else None


def get_bucket_quota(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    b = _bucket(sim, req.query.get("namespace"), params["bucket"])
    return {"bucketname": b["name"], "namespace": b["namespace"], "blockSize": b["block_size"],
            "notificationSize": b["notification_size"], "blockSizeInCount": -1, "notificationSizeInCount": -1}


def set_bucket_quota(sim: Simulator, req: Request, params: dict, user: str) -> None:
    body = body_dict(req.body)
    b = _bucket(sim, body.get("namespace") or req.query.get("namespace"), params["bucket"])
    b["block_size"], b["notification_size"] = check_quota(body.get("blockSize"), body.get("notificationSize"),
                                                          both_unset_ok=False)
    return None


def delete_bucket_quota(sim: Simulator, req: Request, params: dict, user: str) -> None:
    b = _bucket(sim, req.query.get("namespace"), params["bucket"])
    b["block_size"] = b["notification_size"] = -1
    return None


# -- billing and capacity ------------------------------------------------------------------
def _billing(b: dict[str, Any], unit: str, now: str) -> dict[str, Any]:
    return {"namespace": b["namespace"], "name": b["name"], "vpool_id": b["vpool"],
            "total_size": size_in(unit, b["size_bytes"]), "total_size_unit": unit,
            "total_objects": b["objects"], "sample_time": now, "uptodate_till": now,
            "total_mpu_size": "0", "total_mpu_parts": 0, "TagSet": b["tags"],
            "total_objects_deleted": "0", "total_size_deleted": "0"}


def bucket_billing(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    unit = size_unit(req.query)
    return _billing(_bucket(sim, params["namespace"], params["bucket"]), unit, iso_now())


def bulk_bucket_billing(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    unit = size_unit(req.query)
    _ns(sim, params["namespace"])
    body = parse_body(req.body)
    if body is MISSING:
        raise ApiError(415, 1003, "A request body is required")
    if body is None:
        raise ApiError(500, 999, "Request body is null")
    if not isinstance(body, dict):
        raise ApiError(400, 1013, "Request body must be a bucket list object")
    ids = body.get("id") or []
    if isinstance(ids, str):
        ids = [ids]
    buckets, now = sim.state.buckets[params["namespace"]], iso_now()
    return {"bucket_billing_infos": [_billing(buckets[i], unit, now) for i in dict.fromkeys(ids) if i in buckets]}


def namespace_billing(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    unit = size_unit(req.query)
    ns = _ns(sim, params["namespace"])
    buckets, now = sim.state.buckets[ns["name"]], iso_now()
    detail: list[dict[str, Any]] = []
    nxt = None
    if as_bool(req.query.get("include_bucket_detail"), False):
        names, nxt, _ = page(sorted(buckets), {"marker": req.query.get("marker", ""),
                                               "limit": req.query.get("limit", "")}, default_limit=100)
        detail = [_billing(buckets[n], unit, now) for n in names]
    return {"namespace": ns["name"], "sample_time": now,
            "total_size": size_in(unit, sum(b["size_bytes"] for b in buckets.values())),
            "total_size_unit": unit, "total_objects": sum(b["objects"] for b in buckets.values()),
            "bucket_billing_info": detail, "next_marker": nxt or "", "uptodate_till": now,
            "total_mpu_size": "0", "total_mpu_parts": 0, "valid_namespace": ns["name"],
            "total_objects_deleted": "0", "total_size_deleted": "0"}


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def capacity(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    cap = sim.state.capacity
    return {"totalProvisioned_gb": _num(cap["total_provisioned_gb"]), "totalFree_gb": _num(cap["total_free_gb"])}


# -- replication groups --------------------------------------------------------------------
def list_replication_groups(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    return {"data_service_vpool": sim.state.replication_groups}


def get_replication_group(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    rg = sim.state.rg_by_id(params["id"])
    if rg is None:
        raise not_found(params["id"])
    return rg


# -- object users and secret keys ----------------------------------------------------------
def _user(sim: Simulator, uid: str, namespace: str | None = None) -> dict[str, Any]:
    rec = sim.state.users.get(uid)
    if rec is None or (namespace and rec["namespace"] != namespace):
        raise ApiError(404, 2000, f"Unable to find object user {uid}" + (f" in namespace {namespace}"
                                                                        if namespace else ""))
    return rec


def create_user(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    body = body_dict(req.body)
    uid, namespace = body.get("user"), body.get("namespace")
    if not uid or not isinstance(uid, str):
        raise ApiError(400, 1005, "user is required")
    if not namespace:
        raise ApiError(400, 1005, "namespace is required")
    _ns(sim, namespace)
    if uid in sim.state.users:
        raise ApiError(400, 1015, f"Object user {uid} already exists")
    sim.state.users[uid] = {"userid": uid, "namespace": namespace, "tags": body.get("tags") or [],
                            "created": iso_ms_now(), "keys": [None, None]}
    return {"link": {"rel": "self", "href": f"/object/user-secret-keys/{uid}"}}


def _user_list(sim: Simulator, req: Request, namespace: str | None) -> dict:
    users = sim.state.users
    uids = sorted(u for u, rec in users.items() if namespace is None or rec["namespace"] == namespace)
    if req.query.get("userid"):
        uids = [u for u in uids if u == req.query["userid"]]
    names, nxt, limit = page(uids, {"marker": req.query.get("marker", ""), "limit": req.query.get("limit", "")})
    out: dict[str, Any] = {"blobuser": [{"userid": u, "namespace": users[u]["namespace"]} for u in names],
                           "Filter": f"namespace={namespace}" if namespace else "", "MaxUsers": limit}
    if nxt:
        out["NextMarker"] = nxt
    return out


def list_users(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    return _user_list(sim, req, None)


def list_namespace_users(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    _ns(sim, params["namespace"])
    return _user_list(sim, req, params["namespace"])


def get_user(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    rec = _user(sim, params["uid"], req.query.get("namespace"))
    return {"name": rec["userid"], "namespace": rec["namespace"], "locked": False,
            "created": rec["created"], "tags": rec["tags"]}


def delete_user(sim: Simulator, req: Request, params: dict, user: str) -> None:
    body = body_dict(req.body)
    rec = _user(sim, body.get("user") or "", body.get("namespace"))
    del sim.state.users[rec["userid"]]
    return None


def _live_keys(rec: dict[str, Any]) -> list[dict[str, Any] | None]:
    now = time.time()
    rec["keys"] = [k if k and not (k["expiry"] and k["expiry"] <= now) else None for k in rec["keys"]]
    return rec["keys"]


def create_key(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    body = body_dict(req.body)
    rec = _user(sim, params["uid"], body.get("namespace"))
    keys = _live_keys(rec)
    if None not in keys:
        raise invalid(f"Object user {rec['userid']} already has two secret keys")
    secret = body.get("secretkey") or base64.b64encode(os.urandom(30)).decode()
    expiry_min = body.get("existing_key_expiry_time_mins")
    if expiry_min not in (None, ""):
        until = time.time() + 60 * as_long(expiry_min, "existing_key_expiry_time_mins")
        for k in keys:
            if k:
                k["expiry"] = until
    new = {"key": secret, "timestamp": key_timestamp(), "expiry": None}
    keys[keys.index(None)] = new
    return {"link": {"rel": "self", "href": f"/object/user-secret-keys/{rec['userid']}"},
            "secret_key": secret, "key_timestamp": new["timestamp"], "key_expiry_timestamp": ""}


def get_keys(sim: Simulator, req: Request, params: dict, user: str) -> dict:
    rec = _user(sim, params["uid"], params.get("namespace"))
    out: dict[str, Any] = {}
    for i, k in enumerate(_live_keys(rec), start=1):
        out[f"secret_key_{i}"] = k["key"] if k else ""
        out[f"key_timestamp_{i}"] = k["timestamp"] if k else ""
        out[f"key_expiry_timestamp_{i}"] = key_timestamp(k["expiry"]) if k and k["expiry"] else ""
        out[f"secret_key_{i}_exist"] = k is not None
    out["link"] = {"rel": "self", "href": f"/object/user-secret-keys/{rec['userid']}"}
    return out


def delete_keys(sim: Simulator, req: Request, params: dict, user: str) -> None:
    body = body_dict(req.body)
    rec = _user(sim, params["uid"], body.get("namespace"))
    keys = _live_keys(rec)
    secret = body.get("secret_key")
    if secret:
        if not any(k and k["key"] == secret for k in keys):
            raise invalid("The secret key to delete does not belong to this user")
        rec["keys"] = [None if k and k["key"] == secret else k for k in keys]
    else:
        rec["keys"] = [None, None]
    return None


ROUTES = [
    Route("GET", "/login", login, auth=False),
    Route("GET", "/logout", logout),
    Route("GET", "/user/whoami", whoami),
    Route("GET", "/object/namespaces", list_namespaces),
    Route("GET", "/object/namespaces/namespace/{namespace}", get_namespace),
    Route("POST", "/object/namespaces/namespace", create_namespace, write=True),
    Route("PUT", "/object/namespaces/namespace/{namespace}", update_namespace, write=True),
    Route("POST", "/object/namespaces/namespace/{namespace}/deactivate", delete_namespace, write=True),
    Route("GET", "/object/namespaces/namespace/{namespace}/quota", get_namespace_quota),
    Route("PUT", "/object/namespaces/namespace/{namespace}/quota", set_namespace_quota, write=True),
    Route("DELETE", "/object/namespaces/namespace/{namespace}/quota", delete_namespace_quota, write=True),
    Route("POST", "/object/bucket", create_bucket, write=True),
    Route("GET", "/object/bucket", list_buckets),
    Route("GET", "/object/bucket/{bucket}/info", get_bucket),
    Route("POST", "/object/bucket/{bucket}/deactivate", delete_bucket, write=True),
    Route("GET", "/object/bucket/{bucket}/quota", get_bucket_quota),
    Route("PUT", "/object/bucket/{bucket}/quota", set_bucket_quota, write=True),
    Route("DELETE", "/object/bucket/{bucket}/quota", delete_bucket_quota, write=True),
    Route("GET", "/object/billing/buckets/{namespace}/{bucket}/info", bucket_billing),
    Route("POST", "/object/billing/buckets/{namespace}/info", bulk_bucket_billing),
    Route("GET", "/object/billing/namespace/{namespace}/info", namespace_billing),
    Route("GET", "/object/capacity", capacity),
    Route("GET", "/vdc/data-service/vpools", list_replication_groups),
    Route("GET", "/vdc/data-service/vpools/{id}", get_replication_group),
    Route("POST", "/object/users", create_user, write=True),
    Route("GET", "/object/users", list_users),
    Route("GET", "/object/users/{namespace}", list_namespace_users),
    Route("GET", "/object/users/{uid}/info", get_user),
    Route("POST", "/object/users/deactivate", delete_user, write=True),
    Route("POST", "/object/user-secret-keys/{uid}", create_key, write=True),
    Route("GET", "/object/user-secret-keys/{uid}", get_keys),
    Route("GET", "/object/user-secret-keys/{uid}/{namespace}", get_keys),
    Route("POST", "/object/user-secret-keys/{uid}/deactivate", delete_keys, write=True),
]
