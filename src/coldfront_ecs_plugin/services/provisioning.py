"""Provision an allocation on ECS in short steps, never holding a database lock across ECS.

1. Plan (database reads, no lock): resource, names (the binding's when it has any), quota.
2. Reserve (short transaction, before the first ECS call): the binding is created or taken over,
   state ``provisioning``, so even a worker killed while it logs in leaves a run to resume.
3. Identify the cluster (``GET /object/vdcs/vdc/local``): a resource whose ``url`` now reaches
   another cluster than the binding's is refused; the same cluster under a new name is followed.
4. Confirm (short transaction): the binding takes its namespace on that cluster.
5. ECS work with no transaction open, each step recorded on the binding as it completes, all
   within ``ECS_PROVISION_DEADLINE`` seconds (under gunicorn's 30 s worker timeout).
6. Record (short transaction): the ``Namespace``/``Bucket``/quota attributes, state ``active``.

A failure undoes what the binding says the plugin created and leaves the binding ``failed``
with the reason; a run that dies leaves it ``provisioning`` and ``recover_stale`` (run by
``ecs_sync``) resumes or rolls it back. An ``active`` binding is never re-provisioned: a renewal
only checks and reports (``renewal``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .. import attributes, conf, logs, naming
from ..connections import client_for_endpoint
from ..ecs import ECSError, ECSNotFound
from ..models import SETTLED_STATES, BindingState, ECSBinding
from . import bindings, notes, records, renewal, resources
from . import provisioning_steps as steps
from .cluster import ClusterMismatch, check_cluster, cluster_identity, time_bound
from .plan import Plan, ProvisioningError, make_plan
from .provisioning_steps import Outcome

logger = logs.get_logger(__name__)

__all__ = ["Outcome", "Plan", "ProvisioningError", "claim_for_queue", "provision", "recover_stale", "rollback"]

#: share of ECS_PROVISION_DEADLINE for the work; the rest is kept for undo and logout
WORK_SHARE = 0.8


def _settings() -> conf.ECSSettings:
    try:
        return conf.load()
    except conf.SettingsError as exc:
        raise ProvisioningError(f"ECS settings: {exc}") from exc


def _prepare(allocation_pk: int, resource, automation, settings: conf.ECSSettings):
    from coldfront.core.allocation.models import Allocation

    allocation = Allocation.objects.select_related("project__pi", "status").get(pk=allocation_pk)
    binding = bindings.for_allocation(allocation_pk)
    resource = resource or resources.resource_for(allocation, settings)
    if resource is None:
        raise ProvisioningError(f"allocation {allocation_pk} has no ECS resource")
    bound = None
    if (
        binding is not None
        and binding.state != BindingState.UNLINKED
        and (binding.steps or binding.state in SETTLED_STATES)
    ):
        bound = naming.Names(binding.namespace, binding.bucket, True, True)
    plan = make_plan(allocation, resource, settings, automation, bound=bound)
    return allocation, binding, resource, plan


def provision(allocation_pk: int, *, resource=None, automation: Iterable[str] | str | None = ()) -> Outcome:
    """Provision one allocation (or resume its earlier run); idempotent; raises ProvisioningError.

    Two approvals at once: the one that loses the claim waits for the other and then only checks.
    """
    settings = _settings()
    budget = settings.provision_deadline
    for attempt in range(2):
        # two approvals at once (a double click, two admins) give one provisioning and one renewal check,
        # not a refusal; a renewal during a quota change checks the quotas once the change is recorded
        if bindings.wait_while_busy(allocation_pk, budget * WORK_SHARE, stale_after=budget * 2):
            logger.log(
                logging.INFO,
                "allocation %s: waited for another run of it (it finished, or stopped progressing)",
                allocation_pk,
            )
        try:
            return _provision(allocation_pk, resource, automation, settings)
        except bindings.BindingBusy as exc:
            if attempt:
                raise ProvisioningError(str(exc)) from exc
    raise AssertionError("unreachable")


def _provision(allocation_pk: int, resource, automation, settings: conf.ECSSettings) -> Outcome:
    allocation, binding, resource, plan = _prepare(allocation_pk, resource, automation, settings)
    if binding is not None and binding.state in SETTLED_STATES:
        return renewal.check(allocation, binding, resource, plan, settings)
    budget = settings.provision_deadline
    started = time.monotonic()
    was_failed = _was_failed(allocation, binding)
    known = binding
    confirmed = False
    with client_for_endpoint(plan.endpoint, settings) as client:  # no ECS call until the first request
        binding, created, resumed = bindings.reserve(
            allocation_pk,
            resource=resource,
            endpoint=plan.endpoint,
            namespace=plan.namespace,
            bucket=plan.bucket,
            stale_after=budget * 2,
        )
        try:
            with time_bound(client, budget * WORK_SHARE):
                cluster_id = _identify(client, plan)
                check_cluster(known, cluster_id, plan.endpoint)
                _take_over(allocation, plan, cluster_id)
                bindings.confirm(binding, cluster_id)
                confirmed = True
                _log_start(allocation_pk, resource, plan, resumed)
                found = steps.inspect(client, plan, binding)
                outcome = steps.apply(client, plan, found, binding)
            _record(allocation_pk, plan, binding)
            if was_failed:
                notes.add_note_to(allocation_pk, "provisioning completed; the earlier failure is resolved")
        except Exception as exc:
            if not confirmed:  # nothing of this run reached ECS: no undo
                message = _describe(exc)
                bindings.abandon(binding, message, created=created)
                raise ProvisioningError(message) from exc
            elapsed = time.monotonic() - started
            if elapsed >= budget * WORK_SHARE - 0.05:
                exc = ProvisioningError(
                    f"ECS did not finish within ECS_PROVISION_DEADLINE ({budget:g} s); last step: {exc}"
                )
            with time_bound(client, max(1.0, budget - elapsed)):
                message = _fail(client, binding, exc)
            raise ProvisioningError(message) from exc
    _log_done(allocation_pk, outcome)
    return outcome


def _was_failed(allocation, binding: ECSBinding | None) -> bool:
    """An earlier run failed (binding, or ``ECS Status`` from before bindings): success says it is resolved."""
    if binding is not None and binding.state == BindingState.FAILED:
        return True
    return str(records.get_value(allocation, attributes.ECS_STATUS) or "").startswith("failed")


def _log_done(allocation_pk: int, outcome: Outcome) -> None:
    logger.log(
        logging.INFO,
        "provisioned allocation %s: namespace=%s (%s) bucket=%s (%s)",
        allocation_pk,
        outcome.namespace,
        "adopted" if outcome.adopted_namespace else "created",
        outcome.bucket,
        "created" if outcome.created_bucket else "existing",
    )


def _describe(exc: Exception) -> str:
    """Our own errors say what happened; anything else is named by its type too."""
    if isinstance(exc, ProvisioningError | bindings.BindingConflict | ClusterMismatch):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _log_start(allocation_pk: int, resource, plan: Plan, resumed: bool) -> None:
    logger.log(
        logging.INFO,
        "provisioning allocation %s on %s%s: namespace=%s bucket=%s quota=%s TB (%s GB)",
        allocation_pk,
        resource.name,
        " (resuming)" if resumed else "",
        plan.namespace,
        plan.bucket,
        plan.quota_tb,
        plan.block_gb,
    )


def _identify(client, plan: Plan) -> str:
    try:
        return cluster_identity(client)
    except ECSError as exc:
        raise ProvisioningError(
            f"could not identify the ECS cluster at {plan.endpoint} (login, then GET /object/vdcs/vdc/local): {exc}"
        ) from exc


def _record(allocation_pk: int, plan: Plan, binding: ECSBinding) -> None:
    """Short transaction: the ColdFront-visible mirror and the binding's ``active`` state together."""
    from coldfront.core.allocation.models import Allocation

    try:
        with transaction.atomic():
            allocation = Allocation.objects.get(pk=allocation_pk)
            records.record_names(allocation, plan.namespace, plan.bucket)
            records.record_quota(allocation, plan.quota_tb)
            bindings.finish(binding, BindingState.ACTIVE, provisioned_at=timezone.now())
    except Exception as exc:
        raise ProvisioningError(
            f"failed to record the names and quota on the allocation: {type(exc).__name__}: {exc}"
        ) from exc


def _fail(client, binding: ECSBinding, exc: Exception) -> str:
    """Undo what the binding's steps created; leave it ``failed`` with the reason; return the message."""
    message = _describe(exc)
    done, left = steps.undo(client, binding)
    if left:
        message += (
            f". Undo also failed; left on ECS: {'; '.join(left)}: the next approval, "
            f"'manage.py ecs_provision {binding.allocation_id}' or ecs_sync retries the rollback"
        )
    elif done:
        message += f". Undone on ECS: {', '.join(done)}"
    bindings.finish(binding, BindingState.FAILED, error=message, steps=binding.steps)
    logger.log(logging.ERROR, "provisioning of allocation %s failed: %s", binding.allocation_id, message)
    return message


def _take_over(allocation, plan: Plan, cluster_id: str) -> None:
    """Retire the bindings of this project's Revoked/Expired/Denied allocations whose namespace it takes back."""
    from .plan import may_take_over

    holders = {b.pk: b for b in ECSBinding.objects.filter(allocation_id__in=plan.takeover_from)}
    holder = bindings.holder_of(cluster_id, plan.endpoint, plan.namespace)
    if (
        holder is not None
        and holder.allocation_id != allocation.pk
        and plan.namespace_from_attribute
        and holder.allocation_id is not None
        and may_take_over(allocation, holder.allocation_id)
    ):
        holders[holder.pk] = holder
    for old in holders.values():
        if old.state == BindingState.UNLINKED:
            continue
        bindings.retire(old, f"namespace {old.namespace!r} was taken back by allocation {allocation.pk}")
        notes.add_note_to(
            old.allocation_id,
            f"namespace {old.namespace!r} was handed to allocation "
            f"{allocation.pk} of the same project; this allocation is unlinked",
        )
        notes.add_note_to(
            allocation.pk,
            f"takes back namespace {old.namespace!r} from allocation "
            f"{old.allocation_id} (same project, {old.allocation.status.name})",
        )


def rollback(binding: ECSBinding, settings: conf.ECSSettings | None = None) -> str:
    """Undo a dead or failed run's leftovers (the allocation is no longer to be provisioned)."""
    settings = settings or _settings()
    with client_for_endpoint(binding.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        done, left = steps.undo(client, binding)
    text = f"rolled back: {', '.join(done) or 'nothing was left on ECS'}"
    if left:
        text += f"; still left: {'; '.join(left)}"
    bindings.finish(binding, BindingState.FAILED, error=binding.last_error or text, steps=binding.steps)
    return text


def claim_for_queue(allocation_pk: int, automation=()) -> ECSBinding:
    """ECS_PROVISION_ASYNC: validate and claim now (no ECS call), leave the ECS work to the task."""
    settings = _settings()
    _allocation, binding, resource, plan = _prepare(allocation_pk, None, automation, settings)
    if binding is not None and binding.state in SETTLED_STATES:
        return binding
    try:
        binding, _resumed = bindings.claim(
            allocation_pk,
            resource=resource,
            endpoint=plan.endpoint,
            cluster_id=binding.cluster_id if binding else "",
            namespace=plan.namespace,
            bucket=plan.bucket,
            stale_after=settings.provision_deadline * 2,
            state=BindingState.QUEUED,
        )
    except bindings.BindingConflict as exc:
        raise ProvisioningError(str(exc)) from exc
    return binding


def recover_stale(settings: conf.ECSSettings, resource_ids: Iterable[int] | None = None) -> list[str]:
    """Resume (allocation still Active) or roll back (it is not) every provisioning run that died; give
    back the lease of every quota change that died (this sync then reads ECS's quota)."""
    from .quota import PROVISIONED_STATUSES

    resource_ids = None if resource_ids is None else list(resource_ids)
    messages = [
        f"allocation {pk}: an interrupted quota change's lease was released; ECS's quota is read again"
        for pk in bindings.release_stale_quota_leases(settings.provision_deadline * 2, resource_ids)
    ]
    query = ECSBinding.objects.filter(state__in=[BindingState.PROVISIONING, BindingState.QUEUED]).select_related(
        "allocation__status"
    )
    if resource_ids is not None:
        query = query.filter(resource_id__in=resource_ids)
    for binding in query:
        if not bindings.is_stale(binding, settings.provision_deadline * 2):
            continue
        allocation = binding.allocation
        try:
            if allocation is not None and allocation.status.name in PROVISIONED_STATUSES:
                provision(allocation.pk)
                messages.append(f"allocation {allocation.pk}: interrupted provisioning resumed and completed")
            else:
                messages.append(
                    f"allocation {binding.allocation_id}: interrupted provisioning {rollback(binding, settings)}"
                )
        except (ProvisioningError, ECSError, ECSNotFound) as exc:
            if allocation is not None:
                notes.revert_activation(allocation.pk, str(exc))
            messages.append(f"allocation {binding.allocation_id}: interrupted provisioning failed: {exc}")
    return messages
