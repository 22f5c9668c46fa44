"""Bucket operations: list, read, create, delete, quota, lock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import parse
from .errors import ECSBadRequest, ECSNotFound
from .models import Bucket, Quota
from .transport import Transport
from .util import already_exists, check_gb, seg
from .values import field, to_bool, unwrap


class BucketOps(Transport):
    def list_buckets(self, namespace: str, *, page_size: int = 100) -> Iterator[Bucket]:
        """Every bucket of ``namespace`` (always sent: ECS 3.8 rejects an empty filter), following NextMarker."""
        seg(namespace)
        yield from self._pages(
            "/object/bucket", parse.parse_bucket_list, namespace, params={"namespace": namespace, "limit": page_size}
        )

    def get_bucket(self, namespace: str, bucket: str) -> Bucket:
        return self._get(
            f"/object/bucket/{seg(bucket)}/info", parse.parse_bucket, namespace, params={"namespace": namespace}
        )

    def bucket_exists(self, namespace: str, bucket: str) -> bool:
        return self._find_bucket(namespace, bucket) is not None

    def _find_bucket(self, namespace: str, bucket: str) -> Bucket | None:
        try:
            return self.get_bucket(namespace, bucket)
        except ECSNotFound:
            return None

    def create_bucket(
        self,
        namespace: str,
        bucket: str,
        *,
        replication_group_id: str | None = None,
        filesystem_enabled: bool = False,
        head_type: str = "s3",
        quota: Quota | None = None,
    ) -> Bucket:
        """Create a bucket (with its quota in the same call when given); ECSAlreadyExists if it exists.

        Same ambiguity handling as ``create_namespace``: after a timeout/dropped connection/5xx the
        bucket is looked up and returned if present, otherwise the POST is retried within the bound,
        and ECSUnavailable means "unknown, reconcile later".  The Bucket is built from the request
        and ECS's answer, without an extra GET.
        """
        seg(namespace)
        seg(bucket)
        body: dict[str, Any] = {
            "name": bucket,
            "namespace": namespace,
            "vpool": replication_group_id or "",
            "filesystem_enabled": bool(filesystem_enabled),
            "head_type": head_type,
        }
        if quota is not None:
            body["blockSize"] = check_gb(quota.block_size_gb, "block_size_gb")
            body["notificationSize"] = check_gb(quota.notification_size_gb, "notification_size_gb")

        def send(deadline: float) -> Bucket:
            try:
                response = self._call("POST", "/object/bucket", body=body, idempotent=False, deadline=deadline)
            except ECSBadRequest as exc:
                if self._find_bucket(namespace, bucket) is not None:
                    raise already_exists(f"bucket {bucket!r} already exists in namespace {namespace!r}", exc) from None
                raise
            if response.content.strip():
                self._json(response)  # a 2xx HTML/XML page is malformed, even on create
            return Bucket(
                name=bucket,
                namespace=namespace,
                replication_group=replication_group_id or None,
                filesystem_enabled=bool(filesystem_enabled),
                quota=quota,
            )

        return self._reconciled(
            f"create bucket {namespace}/{bucket}", send, lambda: self._find_bucket(namespace, bucket), self._deadline()
        )

    def delete_bucket(self, namespace: str, bucket: str) -> None:
        """Deactivate (delete) an empty bucket; ECSNotFound if absent.  Ambiguous failures are checked with a GET."""
        path = f"/object/bucket/{seg(bucket)}/deactivate"

        def send(deadline: float) -> bool:
            self._call("POST", path, params={"namespace": namespace}, body={}, idempotent=False, deadline=deadline)
            return True

        self._reconciled(
            f"delete bucket {namespace}/{bucket}",
            send,
            lambda: True if self._find_bucket(namespace, bucket) is None else None,
            self._deadline(),
        )

    def get_bucket_quota(self, namespace: str, bucket: str) -> Quota:
        return self._get(f"/object/bucket/{seg(bucket)}/quota", parse.parse_quota, params={"namespace": namespace})

    def set_bucket_quota(self, namespace: str, bucket: str, block_size_gb: int, notification_size_gb: int) -> None:
        """PUT the quota (idempotent).  ECS refuses -1/-1: use ``delete_bucket_quota`` to clear it."""
        body = {
            "blockSize": check_gb(block_size_gb, "block_size_gb"),
            "notificationSize": check_gb(notification_size_gb, "notification_size_gb"),
            "namespace": namespace,
        }
        self._call("PUT", f"/object/bucket/{seg(bucket)}/quota", body=body)

    def delete_bucket_quota(self, namespace: str, bucket: str) -> None:
        self._call("DELETE", f"/object/bucket/{seg(bucket)}/quota", params={"namespace": namespace})

    def set_bucket_lock(self, namespace: str, bucket: str, locked: bool) -> None:
        """Lock (read-only for data) or unlock a bucket.  A PUT, so retried like a read.

        The namespace goes in the query and in the body: ECS's docs show the body, the 3.8 pages the query.
        """
        if not isinstance(locked, bool):
            raise ECSBadRequest(f"locked must be a boolean, got {locked!r}")
        seg(namespace)
        state = "true" if locked else "false"
        self._call(
            "PUT",
            f"/object/bucket/{seg(bucket)}/lock/{state}",
            params={"namespace": namespace},
            body={"namespace": namespace},
        )

    def get_bucket_lock(self, namespace: str, bucket: str) -> bool:
        """Whether the bucket is locked (``GET /object/bucket/{b}/lock`` → ``isLocked``)."""
        return self._get(f"/object/bucket/{seg(bucket)}/lock", _parse_lock, params={"namespace": namespace})


def _parse_lock(data: Any) -> bool:
    body = unwrap(data, "bucket_lock")
    return to_bool(field(body, "isLocked", "is_locked", "locked"), "isLocked")
