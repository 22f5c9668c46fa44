"""Claim, advance and read ECS bindings, each in a short transaction of its own.

Why short: provisioning talks to ECS with no transaction open (a hung ECS must not hold a
database lock, which on SQLite is the whole database's write lock). The binding row is what
makes that safe: a claim marks the allocation as being provisioned, every completed step is
recorded as it completes, and a run that died is recognised by its stale ``updated`` time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import attributes, logs
from ..models import LIVE_STATES, BindingState, ECSBinding
from . import records

logger = logs.get_logger(__name__)

T = TypeVar("T")

#: seconds a claim retries while SQLite's write lock is taken
SQLITE_LOCK_WAIT = 10.0
#: seconds between two looks at a binding a live run holds
POLL = 0.1


class BindingConflict(ValueError):
    """The binding cannot be claimed: another run holds it, or another binding holds the namespace."""


class BindingBusy(BindingConflict):
    """A live provisioning run of the same allocation holds the binding."""


def for_allocation(allocation_pk: int) -> ECSBinding | None:
    return ECSBinding.objects.filter(allocation_id=allocation_pk).first()


def holder_of(cluster_id: str, endpoint: str, namespace: str, exclude_pk: int | None = None) -> ECSBinding | None:
    """The live binding holding ``namespace`` on this cluster (or endpoint, before the cluster is known)."""
    keys = {ECSBinding.key_for(cluster_id, endpoint, namespace), ECSBinding.key_for("", endpoint, namespace)}
    query = ECSBinding.objects.filter(live_key__in=keys)
    if cluster_id:
        query = ECSBinding.objects.filter(live_key__in=keys) | ECSBinding.objects.filter(
            cluster_id=cluster_id, namespace=namespace, state__in=LIVE_STATES
        )
    if exclude_pk is not None:
        query = query.exclude(pk=exclude_pk)
    return query.order_by("pk").first()


def is_stale(binding: ECSBinding, stale_after: float) -> bool:
    """A provisioning run that has not recorded progress for ``stale_after`` seconds has died."""
    return binding.updated < timezone.now() - timedelta(seconds=stale_after)


def retry_while_locked(work: Callable[[], T]) -> T:
    """Run ``work`` (a short transaction), again while SQLite reports its write lock taken.

    SQLite refuses at once, without its busy timeout, a transaction that read before it writes while
    another connection writes; PostgreSQL and MariaDB wait on the row lock themselves.
    """
    deadline = time.monotonic() + SQLITE_LOCK_WAIT
    while True:
        try:
            return work()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def busy(binding: ECSBinding, stale_after: float) -> bool:
    """A live run holds the binding: a provisioning run, or a quota change (its lease), neither stale."""
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    if binding.state == BindingState.PROVISIONING and binding.updated >= cutoff:
        return True
    return binding.quota_lease is not None and binding.quota_lease >= cutoff


def wait_while_busy(allocation_pk: int, seconds: float, stale_after: float) -> bool:
    """Wait (no transaction open) up to ``seconds`` while a live run holds the allocation's binding
    (``busy``); True if one did."""
    deadline = time.monotonic() + seconds
    waited = False
    while True:
        binding = for_allocation(allocation_pk)
        if binding is None or not busy(binding, stale_after) or time.monotonic() >= deadline:
            return waited
        waited = True
        time.sleep(POLL)


def take_quota_lease(
    allocation_pk: int, stale_after: float, states: Iterable[str] = (BindingState.ACTIVE,)
) -> datetime | None:
    """Lease the allocation's binding (in one of ``states``) for one quota change, freeze, lock or restore;
    None when a live one holds it.

    One short transaction, every statement a write (so SQLite waits for its write lock instead of
    refusing): the allocation's row first, the row ``ecs_sync`` locks before it writes, so a change
    waits for a sync writing this allocation; then a compare-and-set of the lease on the binding, which
    a concurrent change cannot also win on any database. Nothing is held once it returns.
    """
    from coldfront.core.allocation.models import Allocation

    def take() -> datetime | None:
        with transaction.atomic():
            Allocation.objects.filter(pk=allocation_pk).update(modified=F("modified"))
            now = timezone.now()
            free = Q(quota_lease__isnull=True) | Q(quota_lease__lt=now - timedelta(seconds=stale_after))
            taken = ECSBinding.objects.filter(free, allocation_id=allocation_pk, state__in=list(states)).update(
                quota_lease=now, updated=now
            )
        return now if taken else None

    return retry_while_locked(take)


def touch_quota_lease(binding_pk: int, lease: datetime) -> None:
    """Mark progress under the lease (``updated``); the first write of the transaction that records."""
    ECSBinding.objects.filter(pk=binding_pk, quota_lease=lease).update(updated=timezone.now())


def end_quota_lease(binding_pk: int, lease: datetime) -> None:
    """Give the lease back (a no-op when a later change took over a stale one)."""
    retry_while_locked(
        lambda: ECSBinding.objects.filter(pk=binding_pk, quota_lease=lease).update(
            quota_lease=None, updated=timezone.now()
        )
    )


def release_stale_quota_leases(stale_after: float, resource_ids: list[int] | None = None) -> list[int]:
    """Give back the leases of quota changes that died (worker killed); returns their allocation ids."""
    stale = ECSBinding.objects.filter(quota_lease__lt=timezone.now() - timedelta(seconds=stale_after))
    if resource_ids is not None:
        stale = stale.filter(resource_id__in=resource_ids)
    found = sorted(pk for pk in stale.values_list("allocation_id", flat=True) if pk is not None)
    stale.update(quota_lease=None)
    return found


def claim(allocation_pk: int, **kwargs) -> tuple[ECSBinding, bool]:
    """``_claim``, retried briefly while SQLite reports its write lock taken (``retry_while_locked``)."""
    return retry_while_locked(lambda: _claim(allocation_pk, **kwargs))


def _take_for_run(allocation_pk: int, namespace: str, bucket: str, stale_after: float) -> tuple[ECSBinding, bool, bool]:
    """Inside a transaction: the allocation's binding, row-locked (or a new one), for a new run.

    Returns (binding, created, resumed); BindingBusy when a live run holds it. Unless an earlier run's
    steps are to be resumed, this run's names count.
    """
    binding = ECSBinding.objects.select_for_update().filter(allocation_id=allocation_pk).first()
    created = binding is None
    if binding is None:
        binding = ECSBinding(allocation_id=allocation_pk)
    else:
        _refuse_if_running(binding, allocation_pk, stale_after)
    resumed = bool(binding.steps) and binding.state != BindingState.UNLINKED
    if not resumed:  # nothing of an earlier run is left on ECS
        binding.namespace, binding.bucket, binding.steps = namespace, bucket, []
    return binding, created, resumed


def _refuse_if_running(binding: ECSBinding, allocation_pk: int, stale_after: float) -> None:
    if binding.state == BindingState.PROVISIONING and not is_stale(binding, stale_after):
        raise BindingBusy(
            f"provisioning of allocation {allocation_pk} is already running (since "
            f"{binding.updated:%Y-%m-%d %H:%M:%S %Z}); wait for it to finish"
        )


def _claim(
    allocation_pk: int,
    *,
    resource,
    endpoint: str,
    cluster_id: str,
    namespace: str,
    bucket: str,
    stale_after: float,
    state: str = BindingState.PROVISIONING,
) -> tuple[ECSBinding, bool]:
    """Create or take over the allocation's binding for a provisioning run.

    Returns (binding, resumed): ``resumed`` when an earlier run of this allocation died or failed
    and its recorded steps are to be continued. Raises BindingConflict when a live run holds it or
    another binding holds the namespace on this cluster.
    """
    try:
        with transaction.atomic():
            binding, _created, resumed = _take_for_run(allocation_pk, namespace, bucket, stale_after)
            holder = holder_of(cluster_id, endpoint, binding.namespace, exclude_pk=binding.pk)
            if holder is not None:
                raise BindingConflict(_held_message(binding.namespace, holder))
            binding.resource = resource
            binding.endpoint = endpoint
            binding.cluster_id = cluster_id or binding.cluster_id
            binding.state = state
            binding.last_error = ""
            binding.refresh_live_key()
            binding.save()
            mirror_status(binding)
    except IntegrityError as exc:  # a concurrent claim won the race for the allocation or the namespace
        winner = for_allocation(allocation_pk)
        if winner is not None and winner.state in (BindingState.QUEUED, BindingState.PROVISIONING):
            raise BindingBusy(f"provisioning of allocation {allocation_pk} was started by a concurrent run") from exc
        raise BindingConflict(
            f"namespace {namespace!r} or allocation {allocation_pk} was claimed by a concurrent run "
            f"({exc.__class__.__name__}); try again"
        ) from exc
    return binding, resumed


def reserve(allocation_pk: int, **kwargs) -> tuple[ECSBinding, bool, bool]:
    """``_reserve``, retried briefly while SQLite reports its write lock taken (``retry_while_locked``)."""
    return retry_while_locked(lambda: _reserve(allocation_pk, **kwargs))


def _reserve(
    allocation_pk: int, *, resource, endpoint: str, namespace: str, bucket: str, stale_after: float
) -> tuple[ECSBinding, bool, bool]:
    """Mark the allocation as being provisioned before the first ECS call (login included).

    Why before: a worker killed while it logs in or reads the cluster's identity must still leave a
    ``provisioning`` binding that ``recover_stale`` finds, not an Active allocation with nothing said.
    The namespace is not held yet (the cluster is unknown): ``confirm`` takes it once the cluster is
    read. Returns (binding, created, resumed); raises BindingBusy when a live run holds it.
    """
    try:
        with transaction.atomic():
            binding, created, resumed = _take_for_run(allocation_pk, namespace, bucket, stale_after)
            if not resumed:
                binding.live_key = None
            binding.resource = resource
            binding.endpoint = endpoint
            binding.state = BindingState.PROVISIONING
            binding.last_error = ""
            binding.save()
            mirror_status(binding)
    except IntegrityError as exc:  # a concurrent reservation created the allocation's binding first
        raise BindingBusy(f"provisioning of allocation {allocation_pk} was started by a concurrent run") from exc
    return binding, created, resumed


def confirm(binding: ECSBinding, cluster_id: str) -> None:
    """Take the namespace on the cluster just read (short transaction); BindingConflict if another holds it."""
    try:
        with transaction.atomic():
            holder = holder_of(cluster_id, binding.endpoint, binding.namespace, exclude_pk=binding.pk)
            if holder is not None:
                raise BindingConflict(_held_message(binding.namespace, holder))
            binding.cluster_id = cluster_id or binding.cluster_id
            binding.refresh_live_key()
            binding.save()
    except IntegrityError as exc:
        raise BindingConflict(
            f"namespace {binding.namespace!r} was claimed by a concurrent run ({exc.__class__.__name__}); try again"
        ) from exc


def abandon(binding: ECSBinding, reason: str, *, created: bool) -> None:
    """A run that failed before it took its namespace: nothing of it is on ECS.

    A binding this run created is removed (ColdFront shows the failure in ``ECS Status``); an older
    one becomes ``failed`` with the reason and keeps the steps an earlier run recorded.
    """
    with transaction.atomic():
        if created:
            ECSBinding.objects.filter(pk=binding.pk).delete()
        else:
            binding.state, binding.last_error = BindingState.FAILED, reason[:4000]
            ECSBinding.objects.filter(pk=binding.pk).update(
                state=binding.state, last_error=binding.last_error, updated=timezone.now()
            )
    if created:
        mirror_failure(binding.allocation_id, reason)
    else:
        mirror_status(binding)


def _held_message(namespace: str, holder: ECSBinding) -> str:
    owner = f"allocation {holder.allocation_id}" if holder.allocation_id else f"binding {holder.pk}"
    return (
        f"namespace {namespace!r} is already held on this ECS cluster by {owner} ({holder.state}); "
        "set this allocation's Namespace attribute to a different name"
    )


def add_step(binding: ECSBinding, step: str, **data) -> None:
    """Record one completed step at once (own transaction), so a dead run leaves an exact trail."""
    binding.steps = [*(binding.steps or []), {"step": step, **data}]
    with transaction.atomic():
        ECSBinding.objects.filter(pk=binding.pk).update(steps=binding.steps, updated=timezone.now())


def finish(binding: ECSBinding, state: str, *, error: str = "", steps: list | None = None, **fields) -> None:
    """Set the binding's state (and error) in its own transaction; mirrors it to ``ECS Status``."""
    binding.state = state
    binding.last_error = error[:4000]
    if steps is not None:
        binding.steps = steps
    for name, value in fields.items():
        setattr(binding, name, value)
    binding.refresh_live_key()
    with transaction.atomic():
        binding.save()
        mirror_status(binding)


def retire(binding: ECSBinding, reason: str) -> None:
    """Unlink: the binding stays as history, but no longer holds its namespace."""
    finish(binding, BindingState.UNLINKED, error=reason)


#: an allocation attribute value holds 128 characters (ColdFront's model; PostgreSQL enforces it)
STATUS_LIMIT = 128


def short(text: str, limit: int = STATUS_LIMIT) -> str:
    """Cut to the attribute's length; the whole reason is always in the admin note written with it."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def failed_text(reason: str) -> str:
    """``failed: …`` with what to do first, so the cut never drops it."""
    return short(f"failed (fix, then approve again; see notes): {reason}")


def status_text(binding: ECSBinding | None) -> str:
    """What ``ECS Status`` says for a binding: short, and with what to do when it failed."""
    if binding is None:
        return "unlinked: not linked to ECS storage; an admin can link it with manage.py ecs_link"
    if binding.state == BindingState.PROVISIONING:
        return f"provisioning (since {timezone.localtime(binding.updated):%Y-%m-%d %H:%M %Z})"
    if binding.state == BindingState.FAILED:
        return failed_text(binding.last_error)
    if binding.state == BindingState.UNLINKED:
        return short(f"unlinked: {binding.last_error}") if binding.last_error else "unlinked"
    if binding.lifecycle or binding.state != BindingState.ACTIVE:
        from .lifecycle_text import describe

        return describe(binding)
    return str(binding.state)


def mirror_status(binding: ECSBinding, allocation=None) -> None:
    """Write ``ECS Status`` on the allocation; skipped (logged) when ``ecs_setup`` has not created the type."""
    if allocation is None:
        from coldfront.core.allocation.models import Allocation

        allocation = Allocation.objects.filter(pk=binding.allocation_id).first()
    if allocation is None:
        return
    try:
        records.set_value(allocation, attributes.ECS_STATUS, short(status_text(binding)))
    except records.MissingAttributeTypes:
        logger.warning(
            "allocation attribute type %r missing; run manage.py ecs_setup",
            attributes.ECS_STATUS,
        )


def mirror_failure(allocation_pk: int, reason: str) -> None:
    """``ECS Status`` for a run that failed before it could claim a binding (login, names, a conflict)."""
    from coldfront.core.allocation.models import Allocation

    binding = for_allocation(allocation_pk)
    if binding is not None and binding.state not in (BindingState.FAILED, BindingState.UNLINKED):
        return  # a live or active binding speaks for itself
    allocation = Allocation.objects.filter(pk=allocation_pk).first()
    if allocation is None:
        return
    with contextlib.suppress(records.MissingAttributeTypes):
        records.set_value(allocation, attributes.ECS_STATUS, failed_text(reason))
