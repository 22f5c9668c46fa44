"""Parsers for ECS billing (metering) bodies: bucket, bulk bucket, namespace and bulk namespace.

Sizes become bytes whatever ``total_size_unit`` ECS used; ``sample_time``/``uptodate_till`` are kept
because billing is sampled every few minutes and callers must be able to tell how old it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import BucketUsage, NamespaceUsage
from .values import bad, billing_size_bytes, field, list_field, next_marker, opt_datetime, opt_str, to_int, unwrap


def parse_bucket_usage(data: Any, namespace: str | None = None, bucket: str | None = None) -> BucketUsage:
    body = unwrap(data, "bucket_billing_info")
    name = opt_str(body, "name", "bucket_name", "bucket") or bucket
    ns = opt_str(body, "namespace") or namespace
    if not name or not ns:
        raise bad("bucket billing response lacks the bucket name or namespace")
    return BucketUsage(
        namespace=ns,
        bucket=name,
        size_bytes=billing_size_bytes(body),
        objects=to_int(field(body, "total_objects"), "total_objects"),
        sample_time=opt_datetime(body, "sample_time"),
        uptodate_till=opt_datetime(body, "uptodate_till"),
    )


def parse_bucket_usages(data: Any, namespace: str | None = None) -> dict[str, BucketUsage]:
    """Bulk billing ``{"bucket_billing_infos": [...]}`` keyed by bucket name."""
    body = unwrap(data, "bucket_billing_infos_list")
    if "bucket_billing_infos" not in body and "bucket_billing_info" not in body:
        raise bad("bulk billing response lacks bucket_billing_infos")
    items = list_field(body, "bucket_billing_infos") or list_field(body, "bucket_billing_info")
    usages = [parse_bucket_usage(item, namespace) for item in items]
    return {usage.bucket: usage for usage in usages}


@dataclass(frozen=True)
class NamespaceBillingPage:
    """One page of namespace billing: totals plus this page's bucket detail."""

    usage: NamespaceUsage
    next_marker: str | None


def parse_namespace_billing(data: Any, namespace: str | None = None) -> NamespaceBillingPage:
    body = unwrap(data, "namespace_billing_info")
    ns = opt_str(body, "namespace", "valid_namespace") or namespace
    if not ns:
        raise bad("namespace billing response lacks the namespace")
    buckets = [parse_bucket_usage(item, ns) for item in list_field(body, "bucket_billing_info")]
    usage = NamespaceUsage(
        namespace=ns,
        size_bytes=billing_size_bytes(body),
        objects=to_int(field(body, "total_objects"), "total_objects"),
        buckets={b.bucket: b for b in buckets},
        sample_time=opt_datetime(body, "sample_time"),
        uptodate_till=opt_datetime(body, "uptodate_till"),
    )
    return NamespaceBillingPage(usage=usage, next_marker=next_marker(body))


def parse_namespace_billings(data: Any) -> list[NamespaceBillingPage]:
    """Bulk namespace billing ``{"namespace_billing_infos": [...]}``: one first page per namespace."""
    body = unwrap(data, "namespace_billing_infos_list")
    if "namespace_billing_infos" not in body and "namespace_billing_info" not in body:
        raise bad("bulk namespace billing response lacks namespace_billing_infos")
    items = list_field(body, "namespace_billing_infos") or list_field(body, "namespace_billing_info")
    return [parse_namespace_billing(item) for item in items]
