"""Bucket endpoints: create/list/info/deactivate, quota, and lock."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, invalid
from ..messages import Reply
from ..util import as_bool, as_long, body_dict, check_quota, iso_ms_now, page, text
from .common import Json, Params, get_bucket, get_ns, vpool

if TYPE_CHECKING:
    from ..api import Request, Simulator

BUCKET_RE = re.compile(r"^[A-Za-z0-9-][A-Za-z0-9._-]{0,254}$")
IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
# python-ecsclient issue #61 (ecs-field-notes.md "Buckets"): compliance namespaces need a retention
RETENTION_REQUIRED = (
    "Incorrect retention parameter: bucket retention period must be set if retention enforcement is off"
)


def bucket_view(b: Json) -> Json:
    retention = b.get("retention", 0)
    return {
        "name": b["name"],
        "id": f"{b['namespace']}.{b['name']}",
        "namespace": b["namespace"],
        "link": {"rel": "self", "href": f"/object/bucket/{b['name']}"},
        "created": b["created"],
        "owner": b["owner"],
        "vpool": b["vpool"],
        "api_type": b["api_type"],
        "fs_access_enabled": b["fs_access_enabled"],
        "is_stale_allowed": b["is_stale_allowed"],
        "is_tso_read_only": False,
        "locked": bool(b.get("locked", False)),
        "is_encryption_enabled": "true" if b["is_encryption_enabled"] else "false",
        "default_retention": retention,
        "retention": retention,
        "auto_commit_period": 0,
        "block_size": b["block_size"],
        "notification_size": b["notification_size"],
        "blockSizeInCount": -1,
        "notificationSizeInCount": -1,
        "softquota": str(b["notification_size"]),
        "TagSet": b["tags"],
        "tags": [],
        "search_metadata": {"search_enabled": False, "max_keys": 0, "metadata": []},
        "is_object_lock_enabled": False,
        "is_object_lock_with_ado_allowed": False,
        "inactive": False,
        "global": None,
        "remote": None,
        "vdc": None,
    }


def valid_bucket_name(name: Any) -> bool:
    return (
        isinstance(name, str)
        and bool(BUCKET_RE.match(name))
        and not name.endswith(".")
        and ".." not in name
        and not IPV4_RE.match(name)
    )


def _quota(body: Json, ns: Json) -> tuple[int, int]:
    if body.get("blockSize") is None and body.get("notificationSize") is None:
        return ns["default_bucket_block_size"], -1
    block = body["blockSize"] if body.get("blockSize") is not None else -1
    notification = body["notificationSize"] if body.get("notificationSize") is not None else -1
    return check_quota(block, notification, both_unset_ok=True)


def _retention(body: Json, ns: Json) -> int:
    raw = body.get("retention")
    if raw is None or raw == "":
        if ns["is_compliance_enabled"]:
            raise invalid(RETENTION_REQUIRED)
        return 0
    value = as_long(raw, "retention")
    if value < 0:
        raise invalid(f"retention must be >= 0 seconds, got {value}")
    return value


def _owner(sim: Simulator, body: Json, user: str) -> str:
    """ObjectScale 4.x takes ``owner`` on create (ecs-field-notes.md); ECS 3.x makes the caller the owner."""
    owner = text(body, "owner")
    return owner if owner and sim.profile.bucket_owner else user


def create_bucket(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    body = body_dict(req.body)
    name = body.get("name")
    if not name:
        raise ApiError(400, 1005, "name is required")
    if not valid_bucket_name(name):
        raise ApiError(400, 40009, f"Invalid bucket name {name!r}")
    namespace = text(body, "namespace", required=True)
    ns = get_ns(sim, namespace)
    if name in sim.state.buckets[namespace]:
        raise ApiError(400, 40008, f"Bucket {name} already exists in namespace {namespace}")
    pool = vpool(sim, body.get("vpool") or ns["default_data_services_vpool"], "vpool")
    if (ns["allowed_vpools_list"] and pool not in ns["allowed_vpools_list"]) or pool in ns["disallowed_vpools_list"]:
        raise invalid(f"Unable to use provided VPool {pool} in namespace {namespace}")
    block, notification = _quota(body, ns)
    head = (text(body, "head_type") or "s3").lower()
    if head not in ("s3", "swift", "atmos", "cas"):
        raise invalid(f"head_type {head!r} is not supported")
    tags = body.get("TagSet") or []
    if not isinstance(tags, list):
        raise invalid("TagSet must be a list")
    sim.state.buckets[namespace][name] = {
        "name": name,
        "namespace": namespace,
        "owner": _owner(sim, body, user),
        "vpool": pool,
        "created": iso_ms_now(),
        "api_type": head.upper(),
        "fs_access_enabled": as_bool(body.get("filesystem_enabled")),
        "is_stale_allowed": as_bool(body.get("is_stale_allowed")),
        "is_encryption_enabled": as_bool(body.get("is_encryption_enabled")),
        "block_size": block,
        "notification_size": notification,
        "tags": tags,
        "retention": _retention(body, ns),
        "locked": False,
        "size_bytes": 0,
        "objects": 0,
    }
    return {
        "id": f"{namespace}.{name}",
        "name": name,
        "inactive": False,
        "global": None,
        "remote": None,
        "vdc": None,
        "tags": [],
        "TagSet": tags,
        "metaData": {"search_enabled": False, "max_keys": 0, "metadata": []},
    }


def list_buckets(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    namespace = req.query.get("namespace")
    if not namespace:
        raise ApiError(400, 1005, "namespace is required")
    get_ns(sim, namespace)
    buckets = sim.state.buckets[namespace]
    names, nxt, limit = page(sorted(buckets), req.query)
    out: Json = {
        "object_bucket": [bucket_view(buckets[n]) for n in names],
        "MaxBuckets": limit,
        "Filter": f"namespace={namespace}",
    }
    if nxt:
        out["NextMarker"] = nxt
    return out


def get_bucket_info(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    return bucket_view(get_bucket(sim, req.query.get("namespace"), params["bucket"]))


def delete_bucket(sim: Simulator, req: Request, params: Params, user: str) -> Reply | None:
    namespace = req.query.get("namespace") or ""
    bucket = get_bucket(sim, namespace, params["bucket"])
    empty = as_bool(req.query.get("emptyBucket"), False)
    if (bucket["objects"] or bucket["size_bytes"]) and not empty:
        raise ApiError(400, 1025, f"Bucket {bucket['name']} is not empty")
    del sim.state.buckets[namespace][bucket["name"]]
    return Reply(202) if empty else None


def get_bucket_quota(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    b = get_bucket(sim, req.query.get("namespace"), params["bucket"])
    return {
        "bucketname": b["name"],
        "namespace": b["namespace"],
        "blockSize": b["block_size"],
        "notificationSize": b["notification_size"],
        "blockSizeInCount": -1,
        "notificationSizeInCount": -1,
    }


def set_bucket_quota(sim: Simulator, req: Request, params: Params, user: str) -> None:
    body = body_dict(req.body)
    b = get_bucket(sim, text(body, "namespace") or req.query.get("namespace"), params["bucket"])
    b["block_size"], b["notification_size"] = check_quota(
        body.get("blockSize"), body.get("notificationSize"), both_unset_ok=False
    )


def delete_bucket_quota(sim: Simulator, req: Request, params: Params, user: str) -> None:
    b = get_bucket(sim, req.query.get("namespace"), params["bucket"])
    b["block_size"] = b["notification_size"] = -1


def get_lock(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    """ECS REST API BucketService getBucketLock: ``{"bucket_name", "isLocked": bool}``
    (element ``object_bucket_lock``; python-ecsclient ``bucket.get_lock`` shows the same JSON)."""
    b = get_bucket(sim, req.query.get("namespace"), params["bucket"])
    return {"bucket_name": b["name"], "isLocked": bool(b.get("locked", False))}


def set_lock(sim: Simulator, req: Request, params: Params, user: str) -> None:
    """``PUT /object/bucket/{b}/lock/{true|false}`` with ``{"namespace"}`` (ECS 3.8 setBucketLock); the
    simulator also takes ``?namespace=``. 200 with no body."""
    flag = params["locked"].lower()
    if flag not in ("true", "false"):
        raise invalid(f"IsLocked must be true or false, got {params['locked']!r}")
    body = body_dict(req.body)
    b = get_bucket(sim, text(body, "namespace") or req.query.get("namespace"), params["bucket"])
    b["locked"] = flag == "true"
