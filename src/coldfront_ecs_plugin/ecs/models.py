"""Small immutable values returned by the ECS client.

Sizes from ECS quota endpoints are GB (ECS means GiB, 2**30 bytes); billing sizes are
converted to bytes by the client so callers never see ECS's ``sizeunit``.  Billing is sampled,
not live: ``sample_time``/``uptodate_till`` (timezone-aware UTC, or None when ECS omits them or
sends something unreadable) say how old a usage figure is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

UNLIMITED = -1


@dataclass(frozen=True)
class Quota:
    """A hard (``block_size_gb``) and soft (``notification_size_gb``) quota; -1 means unset."""

    block_size_gb: int
    notification_size_gb: int

    @property
    def unlimited(self) -> bool:
        return self.block_size_gb == UNLIMITED


@dataclass(frozen=True)
class ReplicationGroup:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Namespace:
    name: str
    default_replication_group: str | None = None
    user_mapping: tuple[Any, ...] = ()
    # namespace quota when the response carried it (ECS 3.x get/list), else None
    quota: Quota | None = None


@dataclass(frozen=True)
class Bucket:
    name: str
    namespace: str
    replication_group: str | None = None
    filesystem_enabled: bool = False
    owner: str | None = None
    quota: Quota | None = None
    created: str | None = None


@dataclass(frozen=True)
class BucketUsage:
    namespace: str
    bucket: str
    size_bytes: int
    objects: int
    sample_time: datetime | None = None
    uptodate_till: datetime | None = None


@dataclass(frozen=True)
class NamespaceUsage:
    namespace: str
    size_bytes: int
    objects: int
    buckets: dict[str, BucketUsage] = field(default_factory=dict)
    sample_time: datetime | None = None
    uptodate_till: datetime | None = None


@dataclass(frozen=True)
class Capacity:
    total_provisioned_gb: float
    total_free_gb: float

    @property
    def used_gb(self) -> float:
        return self.total_provisioned_gb - self.total_free_gb


@dataclass(frozen=True)
class ObjectUser:
    userid: str
    namespace: str


@dataclass(frozen=True)
class VDC:
    """The local virtual data center: a stable identity of the cluster behind an endpoint."""

    id: str
    name: str


@dataclass(frozen=True)
class KeySlot:
    """One of a user's two key slots, without its value: when it was made and when it expires.

    ``fingerprint`` names the key without revealing it (the 4.x ``secret_key_N_id``, else the
    SHA-256 of the value, as 4.x does), so a page can ask to delete one key; empty when ECS gave
    neither.  Times are ECS's text (``2015-12-14 05:13:32.616``, UTC); ``expires`` is empty when
    the key does not expire.
    """

    number: int
    created: str = ""
    expires: str = ""
    fingerprint: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class SecretKeys:
    """A user's secret keys.  ObjectScale 4.x hides the values: they are then counted in ``hidden``
    and named by ``key_ids`` (SHA-256 ids, what deletion takes there) instead of listed in ``keys``."""

    userid: str
    keys: tuple[str, ...]
    key_ids: tuple[str, ...] = ()
    hidden: int = 0
    slots: tuple[KeySlot, ...] = ()

    @property
    def count(self) -> int:
        """Keys the user has, readable or not."""
        return len(self.keys) + self.hidden
