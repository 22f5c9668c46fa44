"""Turn decoded ECS JSON bodies into the dataclasses of ``models``.

ECS's docs show XML root names that real JSON omits, so every parser accepts both flat bodies and
bodies wrapped in the XML root name.  A missing or unreadable *required* field raises
``ECSMalformedResponse``.  Billing parsers live in ``parse_billing`` and scalar readers in
``values``; both are re-exported here so callers have one module to import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ECSMalformedResponse
from .models import VDC, Bucket, Capacity, KeySlot, Namespace, ObjectUser, Quota, ReplicationGroup, SecretKeys
from .parse_billing import (
    NamespaceBillingPage,
    parse_bucket_usage,
    parse_bucket_usages,
    parse_namespace_billing,
    parse_namespace_billings,
)
from .values import (
    KB,
    SIZE_UNITS,
    bad,
    billing_size_bytes,
    field,
    list_field,
    next_marker,
    opt_str,
    size_to_bytes,
    to_bool,
    to_decimal,
    to_float,
    to_int,
    to_str,
    unwrap,
)

__all__ = [
    "KB",
    "SIZE_UNITS",
    "NamespaceBillingPage",
    "ReplicationGroupHealth",
    "billing_size_bytes",
    "field",
    "next_marker",
    "parse_bucket",
    "parse_bucket_list",
    "parse_bucket_usage",
    "parse_bucket_usages",
    "parse_capacity",
    "parse_dashboard_replication_group",
    "parse_error",
    "parse_namespace",
    "parse_namespace_billing",
    "parse_namespace_billings",
    "parse_namespace_list",
    "parse_new_secret_key",
    "parse_node_versions",
    "parse_object_users",
    "parse_quota",
    "parse_replication_group",
    "parse_replication_groups",
    "parse_secret_keys",
    "parse_vdc",
    "size_to_bytes",
    "to_bool",
    "to_decimal",
    "to_float",
    "to_int",
    "to_str",
    "unwrap",
]


# -- quotas, namespaces, buckets -----------------------------------------------------------
def parse_quota(data: Any) -> Quota:
    """Namespace or bucket quota (``blockSize``/``notificationSize`` in GB; -1 = unset)."""
    body = unwrap(data, "namespace_quota_details", "bucket_quota_details", "quota_details", "quota")
    block = to_int(field(body, "blockSize", "block_size"), "blockSize")
    notification = to_int(field(body, "notificationSize", "notification_size"), "notificationSize")
    return Quota(block_size_gb=block, notification_size_gb=notification)


def _optional_quota(
    body: Mapping[str, Any], block_names: tuple[str, ...], notif_names: tuple[str, ...]
) -> Quota | None:
    block = field(body, *block_names, default=None)
    if block is None:
        return None
    notification = field(body, *notif_names, default=-1)
    return Quota(to_int(block, block_names[0]), to_int(notification, notif_names[0]))


def parse_namespace(data: Any) -> Namespace:
    body = unwrap(data, "namespace")
    name = to_str(field(body, "name", "id", "namespace"), "name")
    if not name:
        raise bad("namespace name is empty")
    mapping = tuple(dict(m) if isinstance(m, Mapping) else m for m in list_field(body, "user_mapping"))
    return Namespace(
        name=name,
        default_replication_group=opt_str(body, "default_data_services_vpool"),
        user_mapping=mapping,
        quota=_optional_quota(body, ("blockSize", "block_size"), ("notificationSize", "notification_size")),
    )


def parse_namespace_list(data: Any) -> tuple[list[Namespace], str | None]:
    body = unwrap(data, "namespaces")
    return [parse_namespace(item) for item in list_field(body, "namespace")], next_marker(body)


def parse_bucket(data: Any, namespace: str | None = None) -> Bucket:
    body = unwrap(data, "bucket_info", "object_bucket", "bucket")
    name = to_str(field(body, "name"), "name")
    ns = opt_str(body, "namespace") or namespace
    if not ns:
        bucket_id = opt_str(body, "id") or ""
        ns = bucket_id.rsplit(".", 1)[0] if "." in bucket_id else None
    if not ns:
        raise bad(f"bucket {name!r}: namespace missing from ECS response")
    fs = field(body, "fs_access_enabled", "filesystem_enabled", default=False)
    return Bucket(
        name=name,
        namespace=ns,
        replication_group=opt_str(body, "vpool"),
        filesystem_enabled=to_bool(fs, "fs_access_enabled"),
        owner=opt_str(body, "owner"),
        quota=_optional_quota(body, ("block_size", "blockSize"), ("notification_size", "notificationSize")),
        created=opt_str(body, "created"),
    )


def parse_bucket_list(data: Any, namespace: str) -> tuple[list[Bucket], str | None]:
    body = unwrap(data, "object_buckets", "buckets")
    return [parse_bucket(item, namespace) for item in list_field(body, "object_bucket")], next_marker(body)


# -- cluster -------------------------------------------------------------------------------
def parse_capacity(data: Any) -> Capacity:
    body = unwrap(data, "cluster_capacity")
    return Capacity(
        total_provisioned_gb=to_float(
            field(body, "totalProvisioned_gb", "total_provisioned_gb"), "totalProvisioned_gb"
        ),
        total_free_gb=to_float(field(body, "totalFree_gb", "total_free_gb"), "totalFree_gb"),
    )


def parse_vdc(data: Any) -> VDC:
    """``GET /object/vdcs/vdc/local``: ``vdcId``/``vdcName``, else ``id``/``name``."""
    body = unwrap(data, "vdc")
    vdc_id = to_str(field(body, "vdcId", "id"), "vdcId")
    if not vdc_id:
        raise bad("VDC id is empty")
    return VDC(id=vdc_id, name=to_str(field(body, "vdcName", "name", default=""), "vdcName"))


def parse_replication_group(data: Any) -> ReplicationGroup:
    body = unwrap(data, "data_service_vpool")
    return ReplicationGroup(
        id=to_str(field(body, "id"), "id"),
        name=to_str(field(body, "name"), "name"),
        description=to_str(field(body, "description", default=""), "description"),
    )


def parse_replication_groups(data: Any) -> list[ReplicationGroup]:
    body = unwrap(data, "data_service_vpool_list")
    if "data_service_vpool" not in body:
        raise bad("replication group list lacks data_service_vpool")
    return [parse_replication_group(item) for item in list_field(body, "data_service_vpool")]


# -- object users and secret keys ----------------------------------------------------------
def parse_object_users(data: Any) -> tuple[list[ObjectUser], str | None]:
    body = unwrap(data, "users")
    users = []
    for item in list_field(body, "blobuser"):
        if not isinstance(item, Mapping):
            raise bad("blobuser entry is not an object")
        users.append(
            ObjectUser(
                userid=to_str(field(item, "userid", "user", "name"), "userid"),
                namespace=to_str(field(item, "namespace", default=""), "namespace"),
            )
        )
    return users, next_marker(body)


def _masked(value: str) -> bool:
    """A hidden key as ObjectScale 4.x shows it (asterisks, or one repeated mask character)."""
    return "*" in value or len(set(value)) == 1


def parse_secret_keys(data: Any, userid: str) -> SecretKeys:
    """Both key slots.  An empty slot is an empty string or ``secret_key_N_exist: false``; a slot
    that exists with a masked or missing value (ObjectScale 4.1) counts as hidden."""
    body = unwrap(data, "user_secret_keys")
    keys: list[str] = []
    ids: list[str] = []
    slots: list[KeySlot] = []
    hidden = 0
    for number in (1, 2):
        slot = f"secret_key_{number}"
        value = body.get(slot)
        flag = body.get(f"{slot}_exist")
        exists = to_bool(flag, f"{slot}_exist") if flag is not None else bool(value)
        if not exists:
            continue
        key_id = opt_str(body, f"{slot}_id")
        if key_id:
            ids.append(key_id)
        readable = isinstance(value, str) and bool(value) and not _masked(value)
        if readable and isinstance(value, str):
            keys.append(value)
        else:
            hidden += 1
        fingerprint = key_id or (
            hashlib.sha256(value.encode()).hexdigest() if readable and isinstance(value, str) else ""
        )
        slots.append(
            KeySlot(
                number=number,
                created=opt_str(body, f"key_timestamp_{number}") or "",
                expires=opt_str(body, f"key_expiry_timestamp_{number}") or "",
                fingerprint=fingerprint,
                hidden=not readable,
            )
        )
    return SecretKeys(userid=userid, keys=tuple(keys), key_ids=tuple(ids), hidden=hidden, slots=tuple(slots))


def parse_new_secret_key(data: Any) -> str:
    body = unwrap(data, "user_secret_key")
    key = to_str(field(body, "secret_key"), "secret_key")
    if not key:
        raise bad("ECS returned an empty secret key")
    return key


# -- monitoring bodies (captured in the live fixtures; not needed by provisioning) -------------
def parse_node_versions(data: Any) -> list[str]:
    """ECS build of each node from ``GET /vdc/nodes``."""
    body = unwrap(data, "nodes")
    return [to_str(field(node, "version"), "version") for node in list_field(body, "node")]


@dataclass(frozen=True)
class ReplicationGroupHealth:
    """Dashboard view of a replication group; status/RPO only exist on multi-VDC groups."""

    id: str
    name: str
    pending_bytes: int
    status: str | None = None
    rpo: str | None = None


def parse_dashboard_replication_group(data: Any) -> ReplicationGroupHealth:
    body = unwrap(data, "replication_group")
    pending_keys: Iterable[str] = (
        k for k in body if k.startswith("chunks") and k.endswith("TotalSize") and "Pending" in k
    )
    pending = sum(to_int(body[k], k) for k in pending_keys)
    rg_id = to_str(field(body, "id"), "id").removeprefix("Replication_Group:")
    return ReplicationGroupHealth(
        id=rg_id,
        name=to_str(field(body, "name"), "name"),
        pending_bytes=pending,
        status=opt_str(body, "status", "replicationStatus"),
        rpo=opt_str(body, "rpo", "rpoTimestamp"),
    )


def parse_error(data: Any) -> dict[str, Any]:
    """``{"code", "description", "details", "retryable"}`` from an ECS error body, best effort."""
    if not isinstance(data, Mapping):
        return {}
    body = unwrap(data, "error")
    out: dict[str, Any] = {}
    try:
        out["code"] = to_int(body["code"]) if body.get("code") not in (None, "") else None
    except ECSMalformedResponse:
        out["code"] = None
    for key in ("description", "details"):
        value = body.get(key)
        out[key] = str(value)[:500] if value not in (None, "") else None
    try:
        out["retryable"] = to_bool(body["retryable"]) if body.get("retryable") is not None else None
    except ECSMalformedResponse:
        out["retryable"] = None
    return out
