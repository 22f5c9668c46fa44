"""Billing (metering) reads: one bucket, many buckets, one namespace, many namespaces.

Every size is asked in KB (ECS's GB default rounds small buckets to 0.0) and returned in bytes.
The bulk POSTs are reads, so they are retried like GETs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from . import parse
from .errors import ECSBadRequest, ECSMalformedResponse, ECSNotFound, is_missing_call
from .models import BucketUsage, NamespaceUsage
from .parse_billing import NamespaceBillingPage
from .transport import Transport
from .util import seg

BULK_BILLING_CHUNK = 100
BULK_NAMESPACE_CHUNK = 100


def _detail(include_buckets: bool) -> dict[str, Any]:
    return {"sizeunit": "KB", "include_bucket_detail": "true" if include_buckets else "false"}


class BillingOps(Transport):
    def get_bucket_usage(self, namespace: str, bucket: str) -> BucketUsage:
        """GET billing with sizeunit=KB; size converted to bytes (KB = 1024)."""
        return self._get(
            f"/object/billing/buckets/{seg(namespace)}/{seg(bucket)}/info",
            parse.parse_bucket_usage,
            namespace,
            bucket,
            params={"sizeunit": "KB"},
        )

    def get_bucket_usages(self, namespace: str, buckets: Iterable[str]) -> dict[str, BucketUsage]:
        """Bulk POST billing (ECS 3.2+); buckets missing from ECS's answer are absent from the dict.

        Names are sent in chunks of 100.  On an older ECS the call is missing: see ``is_missing_call``.
        """
        names = list(dict.fromkeys(buckets))
        result: dict[str, BucketUsage] = {}
        path = f"/object/billing/buckets/{seg(namespace)}/info"
        for start in range(0, len(names), BULK_BILLING_CHUNK):
            chunk = names[start : start + BULK_BILLING_CHUNK]
            response = self._call("POST", path, params={"sizeunit": "KB"}, body={"id": chunk}, idempotent=True)
            usages = self._parsed(response, parse.parse_bucket_usages, namespace)
            result.update({name: usage for name, usage in usages.items() if name in chunk})
        return result

    def get_namespace_usage(self, namespace: str, *, include_buckets: bool = True) -> NamespaceUsage:
        """Namespace billing, following next_marker through every page of bucket detail."""
        path = f"/object/billing/namespace/{seg(namespace)}/info"
        first = self._get(path, parse.parse_namespace_billing, namespace, params=_detail(include_buckets))
        return self._all_bucket_pages(first, include_buckets)

    def get_namespace_usages(
        self, namespaces: Iterable[str], include_buckets: bool = True, *, batch_size: int = BULK_NAMESPACE_CHUNK
    ) -> dict[str, NamespaceUsage]:
        """Usage of many namespaces per request: ``POST /object/billing/namespace/info`` with ``{"id": [...]}``.

        Batches of ``batch_size``; a batch ECS refuses (400, or a not-found for one of its
        namespaces) is halved until the refusal is isolated; a namespace ECS says does not exist is
        absent from the dict, as are namespaces missing from its answer.  A namespace whose buckets
        run over one page is completed with the per-namespace GET, following its ``next_marker``.
        An ECS without this call raises an error for which ``is_missing_call`` is True.
        """
        if not (isinstance(batch_size, int) and batch_size >= 1):
            raise ECSBadRequest(f"batch_size must be an integer >= 1, got {batch_size!r}")
        names = list(dict.fromkeys(namespaces))
        for name in names:
            seg(name)
        result: dict[str, NamespaceUsage] = {}
        for start in range(0, len(names), batch_size):
            self._namespace_usage_batch(names[start : start + batch_size], include_buckets, result)
        return result

    def _namespace_usage_batch(
        self, batch: list[str], include_buckets: bool, result: dict[str, NamespaceUsage]
    ) -> None:
        try:
            response = self._call(
                "POST",
                "/object/billing/namespace/info",
                params=_detail(include_buckets),
                body={"id": batch},
                idempotent=True,
            )
        except (ECSBadRequest, ECSNotFound) as exc:
            if is_missing_call(exc) or (len(batch) == 1 and not isinstance(exc, ECSNotFound)):
                raise
            if len(batch) > 1:  # isolate what ECS refused; a lone not-found namespace is just absent
                half = len(batch) // 2
                self._namespace_usage_batch(batch[:half], include_buckets, result)
                self._namespace_usage_batch(batch[half:], include_buckets, result)
            return
        for page in self._parsed(response, parse.parse_namespace_billings):
            if page.usage.namespace in batch:
                result[page.usage.namespace] = self._all_bucket_pages(page, include_buckets)

    def _all_bucket_pages(self, first: NamespaceBillingPage, include_buckets: bool) -> NamespaceUsage:
        """``first``'s usage with the bucket detail of every later page; a repeated marker is malformed."""
        if not include_buckets or not first.next_marker:
            return first.usage
        path = f"/object/billing/namespace/{seg(first.usage.namespace)}/info"
        buckets = dict(first.usage.buckets)
        page, seen = first, set[str]()
        while page.next_marker:
            if page.next_marker in seen:
                raise ECSMalformedResponse("namespace billing pagination repeats a marker", path=path)
            seen.add(page.next_marker)
            page = self._get(
                path,
                parse.parse_namespace_billing,
                first.usage.namespace,
                params={**_detail(True), "marker": page.next_marker},
            )
            if not page.usage.buckets:
                break
            buckets.update(page.usage.buckets)
        return dataclasses.replace(first.usage, buckets=buckets)
