"""Change an allocation's quota on ECS: the namespace quota AND the bucket quota.

The one quota service both ColdFronts call (stock: ``allocation_attribute_changed`` for
``Storage Quota (TB)``; FASRC fork: ``allocation_autoupdate``).  It follows the allocation's
binding (never a re-derived name), refuses any quota below what the whole namespace holds (ECS
enforces the namespace quota over every bucket in it), and converges or rolls back: when the
bucket step fails after the namespace step, the namespace gets its old quota back. No database
transaction is open while ECS is called.

Quota changes of one allocation run one at a time, on every database: each takes a lease on the
allocation's binding (``bindings.take_quota_lease``, a short transaction, as provisioning claims
the binding), waits briefly while another change or a provisioning run holds it, and gives it
back once ColdFront records the result (or, on failure, once ``on_failure`` has put the value
back). ``ecs_sync`` leaves an allocation whose lease is taken, or was taken during its reading,
for its next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from .. import conf, logs, units
from ..connections import client_for_endpoint, endpoint_for_resource
from ..ecs import ECSError, ECSNotFound, Quota
from ..endpoints import EndpointError
from . import bindings, records

if TYPE_CHECKING:
    from ..models import ECSBinding

logger = logs.get_logger(__name__)


#: statuses of an allocation that has been activated (ColdFront allows change requests in these)
PROVISIONED_STATUSES = ("Active", "Renewal Requested", "Payment Pending", "Payment Requested", "Paid")
#: share of ECS_PROVISION_DEADLINE a change waits for a running change or provisioning (as provisioning does)
WAIT_SHARE = 0.8


class QuotaChangeError(ValueError):
    """The quota change was refused or failed; the message says what to do."""


class NotProvisioned(QuotaChangeError):
    """The allocation has no namespace/bucket on ECS yet: the new value is used at provisioning."""


class NotLinked(QuotaChangeError):
    """An Active allocation without a binding: the change cannot reach ECS and is reverted."""


@dataclass(frozen=True)
class QuotaChange:
    namespace: str
    buckets: tuple[str, ...]
    old_block_gb: int | None
    new_tb: float
    block_gb: int
    notification_gb: int
    usage_bytes: int | None  # None: not read, the quota grew


def _sizes(tb: float, settings: conf.ECSSettings) -> tuple[int, int]:
    try:
        block = units.tb_to_gb(tb)
    except units.QuotaValueError as exc:
        raise QuotaChangeError(str(exc)) from exc
    return block, units.notification_gb(block, settings.quota_notification_percent)


def _usage_bytes(client, namespace: str) -> tuple[int, str]:
    """The namespace's total usage over all its buckets, from namespace billing, and how old it is."""
    try:
        usage = client.get_namespace_usage(namespace, include_buckets=False)
        till = usage.uptodate_till or usage.sample_time
        return int(usage.size_bytes), f"sampled by ECS up to {till.isoformat()}" if till else "as ECS sampled it"
    except ECSError as exc:
        raise QuotaChangeError(f"could not read the usage of namespace {namespace!r} from ECS billing: {exc}") from exc


def restore_namespace_quota(client, namespace: str, old: Quota | None) -> str | None:
    """Put the namespace quota back; return a description of the failure, if any."""
    try:
        if old is None or old.unlimited:
            client.delete_namespace_quota(namespace)
        else:
            client.set_namespace_quota(namespace, old.block_size_gb, old.notification_size_gb)
    except ECSError as exc:
        return str(exc)
    return None


def apply_quota(client, namespace: str, buckets: Iterable[str], tb: float, settings: conf.ECSSettings) -> QuotaChange:
    """Set the namespace and bucket quotas to ``tb`` TB, or leave ECS as it was."""
    buckets = tuple(buckets)
    block, notify = _sizes(tb, settings)
    try:
        old = client.get_namespace_quota(namespace)
    except ECSNotFound as exc:
        raise QuotaChangeError(f"namespace {namespace!r} does not exist on ECS: {exc}") from exc
    except ECSError as exc:
        raise QuotaChangeError(f"could not read the quota of namespace {namespace!r}: {exc}") from exc
    grows = not old.unlimited and block >= old.block_size_gb
    used, sampled = (None, "") if grows else _usage_bytes(client, namespace)  # only a shrink can cut below usage
    if used is not None and used > units.gb_to_bytes(block):
        raise QuotaChangeError(
            f"refusing to shrink namespace {namespace!r} to {units.format_tb(tb)} TB: it already holds "
            f"{units.format_tb(units.bytes_to_tb(used), 3)} TB ({used} bytes) over all its buckets ({sampled}: "
            "usage may lag a few minutes behind writes, so it may hold more now); free space first or choose a "
            "larger quota"
        )
    try:
        client.set_namespace_quota(namespace, block, notify)
    except ECSError as exc:
        raise QuotaChangeError(f"failed to set the quota of namespace {namespace!r}: {exc}") from exc
    for bucket in buckets:
        try:
            client.set_bucket_quota(namespace, bucket, block, notify)
        except ECSError as exc:
            failure = restore_namespace_quota(client, namespace, old)
            tail = (
                (
                    f"; restoring the namespace quota also failed ({failure}): namespace {namespace!r} now has "
                    f"{block} GB while bucket {bucket!r} kept its old quota"
                )
                if failure
                else ("; the namespace quota was put back")
            )
            raise QuotaChangeError(f"failed to set the quota of bucket {bucket!r}: {exc}{tail}") from exc
    old_block = None if old.unlimited else old.block_size_gb
    logger.log(
        logging.INFO,
        "quota of namespace %s and bucket(s) %s: %s GB -> %s GB",
        namespace,
        ", ".join(buckets),
        old_block,
        block,
    )
    return QuotaChange(namespace, buckets, old_block, tb, block, notify, used)


def _load_settings() -> conf.ECSSettings:
    try:
        return conf.load()
    except conf.SettingsError as exc:
        raise QuotaChangeError(f"ECS settings: {exc}") from exc


def _binding_for_change(allocation_pk: int) -> ECSBinding:
    from coldfront.core.allocation.models import Allocation

    from ..models import BindingState

    binding = bindings.for_allocation(allocation_pk)
    status = Allocation.objects.filter(pk=allocation_pk).values_list("status__name", flat=True).first()
    if binding is None or binding.state == BindingState.UNLINKED:
        if status in PROVISIONED_STATUSES:
            raise NotLinked(
                f"allocation {allocation_pk} is not linked to ECS storage, so its quota change cannot reach ECS "
                f"and was not applied. Link it first ('manage.py ecs_link {allocation_pk} --namespace NAME', or "
                "'manage.py ecs_link --all' for allocations made before this plugin), then change the quota again"
            )
        raise NotProvisioned(
            f"allocation {allocation_pk} is not provisioned on ECS yet (status {status}); the "
            "quota will be used when it is approved"
        )
    if binding.state != BindingState.ACTIVE or status not in PROVISIONED_STATUSES:
        raise NotProvisioned(
            f"allocation {allocation_pk}'s ECS storage is {binding.state} (status {status}); the "
            "quota will be used when provisioning completes"
        )
    return binding


def _lease_for_change(allocation_pk: int, settings: conf.ECSSettings) -> tuple[ECSBinding, datetime]:
    """(binding, lease): waits (no transaction open) while a live provisioning run or quota change holds
    the allocation's binding; NotLinked/NotProvisioned as ``_binding_for_change``; QuotaChangeError when
    another change still runs after the wait."""
    stale_after = settings.provision_deadline * 2
    deadline = time.monotonic() + settings.provision_deadline * WAIT_SHARE
    while True:
        bindings.wait_while_busy(allocation_pk, max(0.0, deadline - time.monotonic()), stale_after)
        binding = _binding_for_change(allocation_pk)
        lease = bindings.take_quota_lease(allocation_pk, stale_after)
        if lease is not None:
            return binding, lease
        if time.monotonic() >= deadline:
            raise QuotaChangeError(
                f"another quota change of allocation {allocation_pk} is still running; try again in a minute"
            )
        time.sleep(bindings.POLL)  # another change took the lease first: wait for it


@contextmanager
def _reported(on_failure: Callable[[Exception], None] | None) -> Iterator[None]:
    """Hand any failure but NotProvisioned (nothing to undo) to ``on_failure``, then re-raise it."""
    try:
        yield
    except NotProvisioned:
        raise
    except Exception as exc:
        if on_failure is not None:
            on_failure(exc)
        raise


def change_quota(
    allocation_pk: int, new_tb: float, *, resource=None, on_failure: Callable[[Exception], None] | None = None
) -> QuotaChange:
    """Change a provisioned allocation's quota on ECS and record it; NotProvisioned when there is nothing.

    ``on_failure`` (e.g. putting ColdFront's value back) runs while the lease is still held, so another
    change of the allocation cannot land between this one's failure and its undo.
    """
    with _reported(on_failure):
        settings = _load_settings()
        binding, lease = _lease_for_change(allocation_pk, settings)
    try:
        with _reported(on_failure):
            return _change_leased(allocation_pk, binding, lease, new_tb, settings)
    finally:
        bindings.end_quota_lease(binding.pk, lease)


def _change_leased(
    allocation_pk: int, binding: ECSBinding, lease: datetime, new_tb: float, settings: conf.ECSSettings
) -> QuotaChange:
    """The change itself, under the lease: ECS with no transaction open, then one short transaction."""
    from coldfront.core.allocation.models import Allocation

    from .cluster import ClusterMismatch, check_cluster, cluster_identity, time_bound

    _sizes(new_tb, settings)  # refuse a bad value before any request
    with client_for_endpoint(binding.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        try:
            check_cluster(binding, cluster_identity(client), binding.endpoint)
        except ClusterMismatch as exc:
            raise QuotaChangeError(str(exc)) from exc
        except ECSError as exc:
            raise QuotaChangeError(f"could not identify the ECS cluster: {exc}") from exc
        change = apply_quota(client, binding.namespace, [binding.bucket], new_tb, settings)

    def record() -> None:
        with transaction.atomic():
            bindings.touch_quota_lease(binding.pk, lease)  # a write first: SQLite waits for its lock
            records.record_quota(Allocation.objects.get(pk=allocation_pk), new_tb)

    bindings.retry_while_locked(record)
    return change


def change_namespace_quota(resource, namespace: str, new_tb: float) -> QuotaChange:
    """Quota change by namespace name: through the allocation recording it, else on ECS directly
    (namespace plus every bucket in it)."""
    from ..models import ECSBinding

    owner = (
        ECSBinding.objects.filter(namespace=namespace, resource=resource, state="active")
        .values_list("allocation_id", flat=True)
        .first()
    )
    if owner is not None:
        return change_quota(owner, new_tb, resource=resource)
    settings = _load_settings()
    try:
        endpoint = endpoint_for_resource(resource, settings)
    except EndpointError as exc:
        raise QuotaChangeError(str(exc)) from exc
    with client_for_endpoint(endpoint, settings) as client:
        try:
            buckets = [bucket.name for bucket in client.list_buckets(namespace)]
        except ECSError as exc:
            raise QuotaChangeError(f"could not list the buckets of namespace {namespace!r}: {exc}") from exc
        return apply_quota(client, namespace, buckets, new_tb, settings)
