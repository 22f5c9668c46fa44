"""Typed client for the ECS Management REST API (the subset the plugin needs).

INTERFACE STUB: signatures and contracts are fixed; bodies are being implemented.
Knows only HTTP: no Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import TracebackType

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

SUPPORTED_API_VERSIONS = ("2", "3", "4")


class ECSClient:
    """One management session against one ECS endpoint.

    Thread-safe: one ``requests.Session`` with a connection pool of ``pool_size``; one token,
    obtained lazily by the first call, reused, renewed once on 401, dropped by ``close()``.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        verify: bool | str = True,
        timeout: float = 30.0,
        api_version: str = "3",
        retries: int = 3,
        backoff: float = 0.2,
        pool_size: int = 4,
    ) -> None:
        raise NotImplementedError

    # -- session -------------------------------------------------------------------------
    def __enter__(self) -> ECSClient: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def login(self) -> None: ...
    def close(self) -> None:
        """Log out (if logged in) and close the HTTP session. Idempotent; never raises."""
    @property
    def request_count(self) -> int:
        """HTTP requests this client has sent (logins included)."""
        raise NotImplementedError
    def whoami(self) -> dict: ...

    # -- namespaces ----------------------------------------------------------------------
    def list_namespaces(self, *, page_size: int = 100) -> Iterator[Namespace]: ...
    def get_namespace(self, name: str) -> Namespace:
        """Raises ECSNotFound when ECS says it does not exist; any other error is raised as is."""
        raise NotImplementedError
    def namespace_exists(self, name: str) -> bool: ...
    def create_namespace(self, name: str, *, replication_group_id: str | None = None,
                         user_mapping: list[dict] | None = None) -> Namespace: ...
    def delete_namespace(self, name: str) -> None: ...
    def get_namespace_quota(self, name: str) -> Quota: ...
    def set_namespace_quota(self, name: str, block_size_gb: int, notification_size_gb: int) -> None: ...
    def delete_namespace_quota(self, name: str) -> None: ...

    # -- buckets -------------------------------------------------------------------------
    def list_buckets(self, namespace: str, *, page_size: int = 100) -> Iterator[Bucket]: ...
    def get_bucket(self, namespace: str, bucket: str) -> Bucket: ...
    def bucket_exists(self, namespace: str, bucket: str) -> bool: ...
    def create_bucket(self, namespace: str, bucket: str, *, replication_group_id: str | None = None,
                      filesystem_enabled: bool = False, head_type: str = "s3",
                      quota: Quota | None = None) -> Bucket: ...
    def delete_bucket(self, namespace: str, bucket: str) -> None: ...
    def get_bucket_quota(self, namespace: str, bucket: str) -> Quota: ...
    def set_bucket_quota(self, namespace: str, bucket: str, block_size_gb: int,
                         notification_size_gb: int) -> None: ...
    def delete_bucket_quota(self, namespace: str, bucket: str) -> None: ...

    # -- usage and capacity --------------------------------------------------------------
    def get_bucket_usage(self, namespace: str, bucket: str) -> BucketUsage:
        """GET billing with sizeunit=KB; size converted to bytes (KB = 1024)."""
        raise NotImplementedError
    def get_bucket_usages(self, namespace: str, buckets: Iterable[str]) -> dict[str, BucketUsage]:
        """Bulk POST billing; buckets missing from ECS's answer are absent from the dict."""
        raise NotImplementedError
    def get_namespace_usage(self, namespace: str, *, include_buckets: bool = True) -> NamespaceUsage:
        """Namespace billing, following next_marker through every page of bucket detail."""
        raise NotImplementedError
    def get_capacity(self) -> Capacity: ...

    # -- replication groups --------------------------------------------------------------
    def list_replication_groups(self) -> list[ReplicationGroup]: ...
    def get_replication_group(self, group_id: str) -> ReplicationGroup: ...
    def replication_group_id(self, name: str) -> str:
        """Id (URN) of the group with this exact name; ECSNotFound naming the known groups."""
        raise NotImplementedError

    # -- object users and secret keys ----------------------------------------------------
    def create_object_user(self, userid: str, namespace: str, tags: dict[str, str] | None = None) -> ObjectUser: ...
    def list_object_users(self, namespace: str | None = None) -> list[ObjectUser]: ...
    def delete_object_user(self, userid: str, namespace: str) -> None: ...
    def create_secret_key(self, userid: str, namespace: str, *, expiry_minutes: int | None = None) -> str: ...
    def get_secret_keys(self, userid: str, namespace: str) -> SecretKeys: ...
    def delete_secret_key(self, userid: str, namespace: str, secret_key: str | None = None) -> None: ...
