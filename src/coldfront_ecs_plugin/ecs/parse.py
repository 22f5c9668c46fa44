"""Turn decoded ECS JSON bodies into the dataclasses of ``models``.

ECS is loose about types (``"total_size": "10240"`` next to ``"total_objects": 4``, booleans as
``"false"``) and its docs show XML root names that real JSON omits, so every parser accepts both
flat bodies and bodies wrapped in the XML root name.  A missing or unreadable *required* field
raises ``ECSMalformedResponse``: reporting 0 bytes or "no quota" for a body we did not understand
would silently corrupt ColdFront's data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ECSMalformedResponse
from .models import (
    Bucket,
    BucketUsage,
    Capacity,
    Namespace,
    NamespaceUsage,
    ObjectUser,
    Quota,
    ReplicationGroup,
    SecretKeys,
)

KB = 1024
# ECS billing sizes: KB/MB/GB are binary (live 3.8: 10,000,000 bytes reported as 9765.625 KB).
SIZE_UNITS: dict[str, int] = {"B": 1, "BYTES": 1, "KB": KB, "MB": KB**2, "GB": KB**3, "TB": KB**4}

_MISSING = object()


# -- scalar helpers --------------------------------------------------------------------------
def _bad(message: str) -> ECSMalformedResponse:
    return ECSMalformedResponse(message)


def unwrap(data: Any, *roots: str) -> dict[str, Any]:
    """Return the object itself, or its content when it is ``{"<xml root>": {...}}``."""
    if not isinstance(data, Mapping):
        raise _bad(f"expected a JSON object, got {type(data).__name__}")
    if len(data) == 1:
        (key, inner), = data.items()
        if key in roots and isinstance(inner, Mapping):
            return dict(inner)
    return dict(data)


def field(data: Mapping[str, Any], *names: str, default: Any = _MISSING) -> Any:
    """First present, non-null value among ``names``; ``default`` or ECSMalformedResponse otherwise."""
    for name in names:
        value = data.get(name)
        if value is not None:
            return value
    if default is _MISSING:
        raise _bad(f"required field {' / '.join(names)!r} missing from ECS response")
    return default


def to_decimal(value: Any, name: str = "value") -> Decimal:
    """Exact decimal from a JSON number or numeric string (``"6835.9375"``)."""
    if isinstance(value, bool):
        raise _bad(f"{name}: expected a number, got a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _bad(f"{name}: not a finite number")
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise _bad(f"{name}: {value[:40]!r} is not a number") from None
        if not result.is_finite():
            raise _bad(f"{name}: not a finite number")
        return result
    raise _bad(f"{name}: expected a number, got {type(value).__name__}")


def to_int(value: Any, name: str = "value") -> int:
    """Integer from ``4``, ``"4"``, ``4.0`` or ``"4.0"``; a fractional value is malformed."""
    number = to_decimal(value, name)
    if number != number.to_integral_value():
        raise _bad(f"{name}: expected an integer, got {value!r}")
    return int(number)


def to_float(value: Any, name: str = "value") -> float:
    return float(to_decimal(value, name))


def to_bool(value: Any, name: str = "value") -> bool:
    """Boolean from ``True``/``"true"``/``"True"``/``"false"``/0/1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _bad(f"{name}: expected a boolean, got {value!r}"[:120])


def to_str(value: Any, name: str = "value") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _bad(f"{name}: expected a string, got {type(value).__name__}")


def _opt_str(data: Mapping[str, Any], *names: str) -> str | None:
    value = field(data, *names, default=None)
    if value is None or value == "":
        return None
    return to_str(value, names[0])


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    """A JSON array field; absent or null means empty.  A lone object (XML-to-JSON style) counts as one item."""
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    if not isinstance(value, list):
        raise _bad(f"{name}: expected an array, got {type(value).__name__}")
    return value


def size_to_bytes(size: Any, unit: Any = "KB", name: str = "total_size") -> int:
    """Billing size in ``unit`` to whole bytes (KB = 1024, half rounds to even like ``round``)."""
    unit_key = to_str(unit, "total_size_unit").strip().upper() if unit is not None else "KB"
    if unit_key not in SIZE_UNITS:
        raise _bad(f"unknown billing size unit {unit_key[:10]!r}")
    amount = to_decimal(size, name)
    if amount < 0:
        raise _bad(f"{name}: negative size {size!r}")
    return int((amount * SIZE_UNITS[unit_key]).to_integral_value())


def billing_size_bytes(data: Mapping[str, Any]) -> int:
    """``total_size`` + ``total_size_unit`` (3.x), else ``total_size_in_gb`` (2.x); never defaults to 0."""
    if data.get("total_size") is not None:
        return size_to_bytes(data["total_size"], data.get("total_size_unit") or "KB")
    if data.get("total_size_in_gb") is not None:
        return size_to_bytes(data["total_size_in_gb"], "GB", "total_size_in_gb")
    raise _bad("billing response has neither total_size nor total_size_in_gb")


def next_marker(data: Mapping[str, Any]) -> str | None:
    """Continuation marker under any of the spellings ECS versions use; None when done."""
    for key in ("NextMarker", "next_marker", "nextMarker"):
        value = data.get(key)
        if value not in (None, ""):
            return to_str(value, key)
    return None


# -- entities --------------------------------------------------------------------------------
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
        raise _bad("namespace name is empty")
    mapping = tuple(dict(m) if isinstance(m, Mapping) else m for m in _list(body, "user_mapping"))
    return Namespace(
        name=name,
        default_replication_group=_opt_str(body, "default_data_services_vpool"),
        user_mapping=mapping,
        quota=_optional_quota(body, ("blockSize", "block_size"), ("notificationSize", "notification_size")),
    )


def parse_namespace_list(data: Any) -> tuple[list[Namespace], str | None]:
    body = unwrap(data, "namespaces")
    return [parse_namespace(item) for item in _list(body, "namespace")], next_marker(body)


def parse_bucket(data: Any, namespace: str | None = None) -> Bucket:
    body = unwrap(data, "bucket_info", "object_bucket", "bucket")
    name = to_str(field(body, "name"), "name")
    ns = _opt_str(body, "namespace") or namespace
    if not ns:
        bucket_id = _opt_str(body, "id") or ""
        ns = bucket_id.rsplit(".", 1)[0] if "." in bucket_id else None
    if not ns:
        raise _bad(f"bucket {name!r}: namespace missing from ECS response")
    fs = field(body, "fs_access_enabled", "filesystem_enabled", default=False)
    return Bucket(
        name=name,
        namespace=ns,
        replication_group=_opt_str(body, "vpool"),
        filesystem_enabled=to_bool(fs, "fs_access_enabled"),
        owner=_opt_str(body, "owner"),
        quota=_optional_quota(body, ("block_size", "blockSize"), ("notification_size", "notificationSize")),
        created=_opt_str(body, "created"),
    )


def parse_bucket_list(data: Any, namespace: str) -> tuple[list[Bucket], str | None]:
    body = unwrap(data, "object_buckets", "buckets")
    return [parse_bucket(item, namespace) for item in _list(body, "object_bucket")], next_marker(body)


def parse_bucket_usage(data: Any, namespace: str | None = None, bucket: str | None = None) -> BucketUsage:
    body = unwrap(data, "bucket_billing_info")
    name = _opt_str(body, "name", "bucket_name", "bucket") or bucket
    ns = _opt_str(body, "namespace") or namespace
    if not name or not ns:
        raise _bad("bucket billing response lacks the bucket name or namespace")
    return BucketUsage(
        namespace=ns,
        bucket=name,
        size_bytes=billing_size_bytes(body),
        objects=to_int(field(body, "total_objects"), "total_objects"),
        sample_time=_opt_str(body, "sample_time"),
    )


def parse_bucket_usages(data: Any, namespace: str | None = None) -> dict[str, BucketUsage]:
    """Bulk billing ``{"bucket_billing_infos": [...]}`` keyed by bucket name."""
    body = unwrap(data, "bucket_billing_infos_list")
    if "bucket_billing_infos" not in body and "bucket_billing_info" not in body:
        raise _bad("bulk billing response lacks bucket_billing_infos")
    items = _list(body, "bucket_billing_infos") or _list(body, "bucket_billing_info")
    usages = [parse_bucket_usage(item, namespace) for item in items]
    return {usage.bucket: usage for usage in usages}


@dataclass(frozen=True)
class NamespaceBillingPage:
    """One page of namespace billing: totals plus this page's bucket detail."""

    usage: NamespaceUsage
    next_marker: str | None


def parse_namespace_billing(data: Any, namespace: str | None = None) -> NamespaceBillingPage:
    body = unwrap(data, "namespace_billing_info")
    ns = _opt_str(body, "namespace", "valid_namespace") or namespace
    if not ns:
        raise _bad("namespace billing response lacks the namespace")
    buckets = [parse_bucket_usage(item, ns) for item in _list(body, "bucket_billing_info")]
    usage = NamespaceUsage(
        namespace=ns,
        size_bytes=billing_size_bytes(body),
        objects=to_int(field(body, "total_objects"), "total_objects"),
        buckets={b.bucket: b for b in buckets},
        sample_time=_opt_str(body, "sample_time"),
    )
    return NamespaceBillingPage(usage=usage, next_marker=next_marker(body))


def parse_capacity(data: Any) -> Capacity:
    body = unwrap(data, "cluster_capacity")
    return Capacity(
        total_provisioned_gb=to_float(
            field(body, "totalProvisioned_gb", "total_provisioned_gb"), "totalProvisioned_gb"),
        total_free_gb=to_float(field(body, "totalFree_gb", "total_free_gb"), "totalFree_gb"),
    )


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
        raise _bad("replication group list lacks data_service_vpool")
    return [parse_replication_group(item) for item in _list(body, "data_service_vpool")]


def parse_object_users(data: Any) -> tuple[list[ObjectUser], str | None]:
    body = unwrap(data, "users")
    users = []
    for item in _list(body, "blobuser"):
        if not isinstance(item, Mapping):
            raise _bad("blobuser entry is not an object")
        users.append(ObjectUser(userid=to_str(field(item, "userid", "user", "name"), "userid"),
                                namespace=to_str(field(item, "namespace", default=""), "namespace")))
    return users, next_marker(body)


def parse_secret_keys(data: Any, userid: str) -> SecretKeys:
    """Both key slots; an empty string means an empty slot."""
    body = unwrap(data, "user_secret_keys")
    keys = tuple(to_str(body[k], k) for k in ("secret_key_1", "secret_key_2") if body.get(k))
    return SecretKeys(userid=userid, keys=keys)


def parse_new_secret_key(data: Any) -> str:
    body = unwrap(data, "user_secret_key")
    key = to_str(field(body, "secret_key"), "secret_key")
    if not key:
        raise _bad("ECS returned an empty secret key")
    return key


# -- monitoring bodies (captured in the live fixtures; not needed by provisioning) -------------
def parse_node_versions(data: Any) -> list[str]:
    """ECS build of each node from ``GET /vdc/nodes``."""
    body = unwrap(data, "nodes")
    return [to_str(field(node, "version"), "version") for node in _list(body, "node")]


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
        status=_opt_str(body, "status", "replicationStatus"),
        rpo=_opt_str(body, "rpo", "rpoTimestamp"),
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
