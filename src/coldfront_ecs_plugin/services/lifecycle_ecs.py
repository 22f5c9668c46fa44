"""The ECS half of the lifecycle: freeze, lock and their exact undo. No Django, no transaction.

Why a record: a restore must put back exactly what the freeze or lock changed (the quotas or
the lock flag as they were), and nothing else; an admin's own change made meanwhile on ECS is
left alone. Every restored quota is at least the namespace's usage, so a restore never makes
stored data exceed its quota.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..ecs import ECSError, ECSNotFound, Quota

GIB = 2**30


class LifecycleError(RuntimeError):
    """An ECS step of a lifecycle action failed; the message says which and why."""


@dataclass(frozen=True)
class Target:
    namespace: str
    bucket: str


def usage_gb(client, namespace: str) -> int:
    """The namespace's usage (all its buckets) rounded up to the next whole GB, at least 1
    (ECS has no 0 GB quota: 1 is the smallest, and -1 means unlimited)."""
    try:
        used = int(client.get_namespace_usage(namespace, include_buckets=False).size_bytes)
    except ECSError as exc:
        raise LifecycleError(f"could not read the usage of namespace {namespace!r}: {exc}") from exc
    return max(1, math.ceil(used / GIB))


def _quota_list(quota: Quota | None) -> list[int] | None:
    return None if quota is None or quota.unlimited else [quota.block_size_gb, quota.notification_size_gb]


def _read_quotas(client, target: Target) -> tuple[list[int] | None, list[int] | None]:
    try:
        namespace = client.get_namespace_quota(target.namespace)
        bucket = client.get_bucket_quota(target.namespace, target.bucket)
    except ECSNotFound as exc:
        raise LifecycleError(
            f"namespace {target.namespace!r} or bucket {target.bucket!r} is gone from ECS: {exc}"
        ) from exc
    except ECSError as exc:
        raise LifecycleError(f"could not read the quotas of {target.namespace}/{target.bucket}: {exc}") from exc
    return _quota_list(namespace), _quota_list(bucket)


def freeze(client, target: Target, earlier: dict | None, save: Callable[[dict], None]) -> dict:
    """Set both hard quotas to the usage rounded up to the next GB; return what was there before.

    The record is saved (``save``) before any quota is written, so a run that fails half-way
    leaves the true "before"; a retry passes it back as ``earlier`` and keeps it, never
    recording its own frozen value as the original.
    """
    gb = usage_gb(client, target.namespace)
    if earlier and "namespace_quota" in earlier:
        before_ns, before_bucket = earlier.get("namespace_quota"), earlier.get("bucket_quota")
    else:
        before_ns, before_bucket = _read_quotas(client, target)
    record = {"namespace_quota": before_ns, "bucket_quota": before_bucket, "set_gb": gb}
    save(record)
    try:
        client.set_namespace_quota(target.namespace, gb, gb)
        client.set_bucket_quota(target.namespace, target.bucket, gb, gb)
    except ECSError as exc:
        raise LifecycleError(
            f"could not set the frozen quota ({gb} GB) on {target.namespace}/{target.bucket}: {exc}"
        ) from exc
    return record


def _put_back(client, target: Target, which: str, old: list[int] | None, floor_gb: int) -> str:
    """Put one quota back (never below ``floor_gb``); returns what was done, for the note."""
    name = f"namespace {target.namespace!r}" if which == "namespace" else f"bucket {target.bucket!r}"
    if old is None:
        if which == "namespace":
            client.delete_namespace_quota(target.namespace)
        else:
            client.delete_bucket_quota(target.namespace, target.bucket)
        return f"{name}: no quota again (as before)"
    block, notify = int(old[0]), int(old[1])
    raised = block < floor_gb
    if raised:
        block, notify = floor_gb, min(max(notify, 1), floor_gb)
    if which == "namespace":
        client.set_namespace_quota(target.namespace, block, notify)
    else:
        client.set_bucket_quota(target.namespace, target.bucket, block, notify)
    if raised:
        return f"{name}: {block} GB (its earlier {old[0]} GB is below what it now holds)"
    return f"{name}: {block} GB again"


def unfreeze(client, target: Target, record: dict) -> list[str]:
    """Restore the quotas a freeze changed; a quota someone changed since is left as it is."""
    set_gb = record.get("set_gb")
    floor = usage_gb(client, target.namespace)
    now_ns, now_bucket = _read_quotas(client, target)
    done = []
    for which, now, old in (
        ("namespace", now_ns, record.get("namespace_quota")),
        ("bucket", now_bucket, record.get("bucket_quota")),
    ):
        name = f"namespace {target.namespace!r}" if which == "namespace" else f"bucket {target.bucket!r}"
        if now is None or now[0] != set_gb:
            done.append(
                f"{name}: left at {'no quota' if now is None else f'{now[0]} GB'} (changed on ECS since the freeze)"
            )
            continue
        try:
            done.append(_put_back(client, target, which, old, floor))
        except ECSError as exc:
            raise LifecycleError(f"could not restore the quota of {name}: {exc}") from exc
    return done


def lock(client, target: Target) -> dict:
    """Lock the bucket (ECS bucket lock); return whether it was locked before."""
    try:
        was = client.get_bucket_lock(target.namespace, target.bucket)
        if not was:
            client.set_bucket_lock(target.namespace, target.bucket, True)
    except ECSError as exc:
        raise LifecycleError(f"could not lock bucket {target.bucket!r}: {exc}") from exc
    return {"was_locked": bool(was)}


def unlock(client, target: Target, record: dict) -> list[str]:
    """Unlock the bucket unless it was already locked before the plugin locked it."""
    if record.get("was_locked"):
        return [f"bucket {target.bucket!r}: left locked (it was locked before)"]
    try:
        client.set_bucket_lock(target.namespace, target.bucket, False)
    except ECSError as exc:
        raise LifecycleError(f"could not unlock bucket {target.bucket!r}: {exc}") from exc
    return [f"bucket {target.bucket!r}: unlocked"]
