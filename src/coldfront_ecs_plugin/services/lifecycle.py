"""Storage through the allocation's life: freeze or lock on expiry/revocation, restore on return to Active.

Why here and not in a view receiver: ColdFront changes a status on several paths (the admin's
view, its daily expiry task, the Django admin, scripts) and only some send a signal, so
``signals`` watches the model itself and calls ``status_changed``. Nothing is ever deleted: a
freeze lowers the hard quotas to the usage, a lock sets ECS's bucket lock, and the binding's
``lifecycle`` field records what was there before so ``restore`` puts back exactly that.

The binding's ``lifecycle`` JSON::

    pending: {action: freeze|lock|restore, status, due, since, error?, attempts?}
    frozen:  {namespace_quota, bucket_quota, set_gb, at, status}   # quotas as [block, notify] or None
    locked:  {was_locked, at, status}

``lifecycle_due`` mirrors ``pending.due`` (indexed) for ``apply_due``, which the scheduled sync
and ``ecs_sync`` call: grace periods end there, and failed actions are retried there. Each action
holds the allocation's quota lease (``bindings.take_quota_lease``), as a quota change does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone

from .. import conf, logs
from ..connections import client_for_endpoint
from ..ecs import ECSError
from ..models import SETTLED_STATES, BindingState, ECSBinding, ECSObjectUser
from . import bindings, lifecycle_ecs, notes, s3_users
from .cluster import ClusterMismatch, check_cluster, cluster_identity, time_bound
from .lifecycle_ecs import LifecycleError, Target

logger = logs.get_logger(__name__)

REVOKED_STATUSES = ("Revoked", "Denied")
RESTORE = "restore"


def action_for(status: str, settings: conf.ECSSettings) -> str | None:
    """The configured action for a new status; None when the status asks for none."""
    if status == "Expired":
        return settings.on_expire
    if status in REVOKED_STATUSES:
        return settings.on_revoke
    return None


def _save(binding: ECSBinding, state: str | None = None) -> None:
    """Persist the lifecycle record (and state) in a short transaction; mirrors ``ECS Status``."""
    pending = binding.lifecycle.get("pending")
    due = pending.get("due") if pending else None
    binding.lifecycle_due = datetime.fromisoformat(due) if due else None
    bindings.finish(binding, state or binding.state, error=binding.last_error)


def status_changed(allocation_pk: int, old: str | None, new: str, settings: conf.ECSSettings | None = None) -> None:
    """React to an allocation's status change (any path); never raises for ECS problems."""
    binding = bindings.for_allocation(allocation_pk)
    if binding is None or binding.state not in SETTLED_STATES:
        return
    settings = settings or conf.load()
    if new == "Active":
        if binding.lifecycle:
            restore(binding, settings)
        return
    if new in s3_users.UNSERVED_STATUSES and s3_users.needs_reconcile(binding, serve=False):
        # ColdFront 1.1.8+ also sends allocation_remove_user for each member; older releases do not
        for problem in s3_users.reconcile(binding, settings, serve=False):
            logger.log(logging.WARNING, "allocation %s is %s: %s", allocation_pk, new, problem)
    action = action_for(new, settings)
    if action is None:
        return
    record = dict(binding.lifecycle)
    current = record.get("pending") or {}
    if (current.get("action"), current.get("status")) == (action, new):
        return  # the same change seen twice (the model signal, then allocation_disable)
    if action == "none" or _already(binding, action):
        if record.pop("pending", None) is not None:
            binding.lifecycle = record
            _save(binding)
        return
    now = timezone.now()
    due = now + timedelta(days=settings.lifecycle_grace_days)
    record["pending"] = {"action": action, "status": new, "since": now.isoformat(), "due": due.isoformat()}
    binding.lifecycle = record
    _save(binding)
    logger.log(
        logging.INFO, "allocation %s is %s (was %s): %s due %s", allocation_pk, new, old, action, due.isoformat()
    )
    if settings.lifecycle_grace_days == 0:
        apply(binding, settings)
    else:
        notes.add_note_to(
            allocation_pk,
            f"allocation is {new}: its storage will be {action_word(action)} on "
            f"{timezone.localtime(due):%Y-%m-%d} (ECS_LIFECYCLE_GRACE_DAYS="
            f"{settings.lifecycle_grace_days}) by the scheduled ecs_sync",
        )


def action_word(action: str) -> str:
    return {"freeze": "frozen", "lock": "locked", RESTORE: "restored"}.get(action, action)


def _already(binding: ECSBinding, action: str) -> bool:
    return bool((binding.lifecycle or {}).get("locked" if action == "lock" else "frozen")) and "pending" not in (
        binding.lifecycle or {}
    )


def _client_for(binding: ECSBinding, settings: conf.ECSSettings):
    return client_for_endpoint(binding.endpoint, settings)


def _check(client, binding: ECSBinding) -> None:
    try:
        check_cluster(binding, cluster_identity(client), binding.endpoint)
    except ClusterMismatch as exc:
        raise LifecycleError(str(exc)) from exc
    except ECSError as exc:
        raise LifecycleError(f"could not identify the ECS cluster: {exc}") from exc


@contextmanager
def _leased(binding: ECSBinding, settings: conf.ECSSettings) -> Iterator[None]:
    """Hold the allocation's quota lease: a freeze, lock or restore writes what a quota change writes, so
    the two never run at once. While a live change holds it: LifecycleError (kept pending, retried by sync)."""
    lease = bindings.take_quota_lease(binding.allocation_id, settings.provision_deadline * 2, SETTLED_STATES)
    if lease is None:
        raise LifecycleError("a quota change of this allocation was running at the same time")
    try:
        yield
    finally:
        bindings.end_quota_lease(binding.pk, lease)


def apply(binding: ECSBinding, settings: conf.ECSSettings) -> str:
    """Carry out the binding's pending freeze or lock now; on failure keep it pending (retried by sync)."""
    pending = dict(binding.lifecycle.get("pending") or {})
    action = pending.get("action")
    if action == RESTORE:
        return restore(binding, settings)
    target = Target(binding.namespace, binding.bucket)
    stamp = {"at": timezone.now().isoformat(), "status": pending.get("status")}
    try:
        with (
            _leased(binding, settings),
            _client_for(binding, settings) as client,
            time_bound(client, settings.provision_deadline),
        ):
            _check(client, binding)
            if action == "freeze":
                done = _freeze(client, binding, target, stamp)
            else:
                done = _lock(client, binding, target, stamp, settings)
    except (LifecycleError, ECSError) as exc:
        return _failed(binding, action, exc)
    record = dict(binding.lifecycle)
    record.pop("pending", None)
    binding.lifecycle = record
    state = BindingState.LOCKED if record.get("locked") else BindingState.FROZEN
    _save(binding, state)
    notes.add_note_to(
        binding.allocation_id,
        f"allocation is {pending.get('status')}: storage {done}. Nothing "
        "was deleted; it is restored when the allocation is Active again",
    )
    logger.log(logging.INFO, "allocation %s: %s", binding.allocation_id, done)
    return f"allocation {binding.allocation_id}: {done}"


def _freeze(client, binding: ECSBinding, target: Target, stamp: dict) -> str:
    def keep(record: dict) -> None:  # saved before any quota is written (see lifecycle_ecs.freeze)
        binding.lifecycle = {**binding.lifecycle, "frozen": {**record, **stamp, "complete": False}}
        _save(binding)

    record = lifecycle_ecs.freeze(client, target, binding.lifecycle.get("frozen"), keep)
    binding.lifecycle = {**binding.lifecycle, "frozen": {**record, **stamp}}
    return f"frozen: namespace and bucket hard quotas set to {record['set_gb']} GB (the usage, rounded up)"


def _lock(client, binding: ECSBinding, target: Target, stamp: dict, settings: conf.ECSSettings) -> str:
    record = binding.lifecycle.get("locked") or lifecycle_ecs.lock(client, target)
    binding.lifecycle = {**binding.lifecycle, "locked": {**record, **stamp}}
    _save(binding)
    problems = s3_users.reconcile_on(client, binding, serve=False)
    if problems:
        raise LifecycleError("bucket locked, but " + "; ".join(problems))
    removed = " and the members' S3 keys deleted" if ECSObjectUser.objects.filter(binding=binding).exists() else ""
    return f"locked: bucket {target.bucket!r} locked with ECS's bucket lock{removed}"


def _failed(binding: ECSBinding, action: str | None, exc: Exception) -> str:
    """Keep the action pending with its error; note it once per distinct error; ``ECS Status`` says so."""
    record = dict(binding.lifecycle)
    pending = dict(record.get("pending") or {"action": action, "due": timezone.now().isoformat()})
    first = pending.get("error") != str(exc)
    pending["error"], pending["attempts"] = str(exc)[:1000], int(pending.get("attempts", 0)) + 1
    record["pending"] = pending
    binding.lifecycle = record
    _save(binding)
    if first:
        notes.add_note_to(
            binding.allocation_id,
            f"{action} of the storage failed: {exc}. Nothing was deleted; the "
            "next ecs_sync (scheduled or by hand) tries again",
        )
    logger.log(logging.ERROR, "allocation %s: %s failed: %s", binding.allocation_id, action, exc)
    return f"allocation {binding.allocation_id}: {action} failed: {exc}"


def restore(binding: ECSBinding, settings: conf.ECSSettings) -> str:
    """Undo the freeze and/or lock exactly (never below usage); members get their object users back."""
    record = dict(binding.lifecycle)
    if not record.get("frozen") and not record.get("locked"):
        record.pop("pending", None)
        binding.lifecycle = record
        _save(binding, BindingState.ACTIVE)
        return f"allocation {binding.allocation_id}: pending action cancelled (Active again)"
    target = Target(binding.namespace, binding.bucket)
    done: list[str] = []
    try:
        with (
            _leased(binding, settings),
            _client_for(binding, settings) as client,
            time_bound(client, settings.provision_deadline),
        ):
            _check(client, binding)
            if record.get("locked"):
                done += lifecycle_ecs.unlock(client, target, record["locked"])
                binding.lifecycle = record = {k: v for k, v in record.items() if k != "locked"}
                _save(binding)
            if record.get("frozen"):
                done += lifecycle_ecs.unfreeze(client, target, record["frozen"])
            if settings.s3_users:
                binding.state = BindingState.ACTIVE  # members are served again
                done += s3_users.reconcile_on(client, binding, serve=True)
    except (LifecycleError, ECSError) as exc:
        binding.lifecycle = {
            **record,
            "pending": {"action": RESTORE, "status": "Active", "due": timezone.now().isoformat()},
        }
        binding.state = BindingState.LOCKED if record.get("locked") else BindingState.FROZEN
        return _failed(binding, RESTORE, exc)
    binding.lifecycle = {}
    _save(binding, BindingState.ACTIVE)
    text = "restored: " + "; ".join(done)
    notes.add_note_to(binding.allocation_id, f"allocation is Active again: storage {text}")
    logger.log(logging.INFO, "allocation %s: %s", binding.allocation_id, text)
    return f"allocation {binding.allocation_id}: {text}"


def _still_wanted(binding: ECSBinding) -> bool:
    """A pending action whose status has since changed is dropped (the new status decided already)."""
    pending = binding.lifecycle.get("pending") or {}
    status = binding.allocation.status.name if binding.allocation else None
    return status == pending.get("status") or (pending.get("action") == RESTORE and status == "Active")


def apply_due(settings: conf.ECSSettings, resource_ids: Iterable[int] | None = None) -> list[str]:
    """Apply every lifecycle action that is due (grace period over, or a failure to retry), and bring the
    members' object users in line where they drifted; one message per thing done or failed."""
    query = ECSBinding.objects.filter(lifecycle_due__lte=timezone.now(), state__in=SETTLED_STATES)
    if resource_ids is not None:
        query = query.filter(resource_id__in=list(resource_ids))
    messages = []
    for binding in query.select_related("allocation__status").order_by("pk"):
        if _still_wanted(binding):
            messages.append(apply(binding, settings))
            continue
        binding.lifecycle = {k: v for k, v in binding.lifecycle.items() if k != "pending"}
        _save(binding)
        messages.append(
            f"allocation {binding.allocation_id}: pending action dropped (status is now "
            f"{binding.allocation.status.name if binding.allocation else 'gone'})"
        )
    if settings.s3_users:
        messages += _reconcile_members(settings, resource_ids)
    return messages


def _reconcile_members(settings: conf.ECSSettings, resource_ids: Iterable[int] | None) -> list[str]:
    query = ECSBinding.objects.filter(state__in=SETTLED_STATES, allocation__isnull=False)
    if resource_ids is not None:
        query = query.filter(resource_id__in=list(resource_ids))
    messages = []
    for binding in query.order_by("pk"):
        serve = s3_users.should_serve(binding)
        if not s3_users.needs_reconcile(binding, serve):
            continue
        problems = s3_users.reconcile(binding, settings, serve=serve)
        messages.append(
            f"allocation {binding.allocation_id}: object users "
            + ("updated" if not problems else "not all updated: " + "; ".join(problems))
        )
    return messages


def run_safely(func, *args) -> None:
    """For receivers: a lifecycle problem is logged (and noted by the service), never a 500 page."""
    try:
        func(*args)
    except Exception:
        logger.log(logging.ERROR, "ECS lifecycle handling failed (%s)", getattr(func, "__name__", func), exc_info=True)
