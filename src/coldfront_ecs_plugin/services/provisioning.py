"""Provision an allocation on ECS: a namespace, its quota, a bucket and its quota — all or nothing.

The one provisioning service both ColdFronts call (stock: ``allocation_activate``; FASRC
fork: ``allocation_autocreate``).  Order of work, so a refusal never leaves anything behind:

1. validate without touching ECS: settings and ``url``, automation options, names (and that
   no other allocation records them), quota, attribute types;
2. read ECS: does the namespace exist (only ECSNotFound means "no"), may this allocation
   adopt it, the replication group id, does the bucket exist;
3. write: namespace, namespace quota, bucket, bucket quota, then record the names and quota
   on the allocation.  A failure in step 3 undoes what *this run* created (bucket, then
   namespace) and says so if the undo itself fails.

Replication group, one order: the resource's ``replication_group`` name (looked up to its
id); else, for an adopted namespace, its default replication group; else an error naming
the ``replication_group`` resource attribute.

Concurrency: the allocation row is locked (SELECT ... FOR UPDATE) for the whole run, so two
activations of one allocation run one after the other and the second adopts what the first
recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction
from django.db.models import F

from .. import attributes, conf, naming, units
from ..connections import client_for_endpoint, endpoint_for_resource
from ..ecs import ECSError, ECSNotFound, Namespace, Quota
from ..endpoints import EndpointError
from . import quota, records

logger = logging.getLogger(__name__)

SUPPORTED_AUTOMATION = {"nfs_share"}


class ProvisioningError(ValueError):
    """Provisioning was refused or failed; the message says what to do."""


@dataclass(frozen=True)
class Plan:
    """Everything decided before ECS is touched (plain values)."""

    allocation_pk: int
    resource_name: str
    endpoint: str
    namespace: str
    bucket: str
    namespace_from_attribute: bool
    quota_tb: float
    block_gb: int
    notification_gb: int
    filesystem_enabled: bool
    replication_group_name: str | None
    user_mapping: tuple[dict, ...] = ()


@dataclass
class Outcome:
    """What a provisioning run found and did."""

    namespace: str
    bucket: str
    quota_tb: float
    created_namespace: bool = False
    created_bucket: bool = False
    adopted_namespace: bool = False
    steps: list[str] = field(default_factory=list)


def _log(level: int, message: str, *args) -> None:
    logger.log(level, message, *args, extra={"category": attributes.LOG_CATEGORY})


# -- step 1: validation without ECS ------------------------------------------------------------


def check_automation(options: Iterable[str] | str | None) -> bool:
    """True when a filesystem-enabled bucket is asked for; refuses any option ECS cannot do."""
    if isinstance(options, str):
        options = [options]
    chosen = {str(option).strip() for option in (options or []) if str(option).strip()}
    unsupported = sorted(chosen - SUPPORTED_AUTOMATION)
    if unsupported:
        raise ProvisioningError(
            f"ECS storage does not support the automation option(s) {', '.join(unsupported)}; "
            "only nfs_share (a filesystem-enabled bucket) is available. Deselect the others and approve again"
        )
    return "nfs_share" in chosen


def quota_tb_for(allocation, settings: conf.ECSSettings) -> float:
    """``Storage Quota (TB)`` if set; else the fork's ``allocation.size`` if > 0; else quantity x TB per unit."""
    raw = records.get_value(allocation, attributes.QUOTA_TB)
    if raw is not None and str(raw).strip():
        try:
            return float(raw)
        except ValueError:
            raise ProvisioningError(f"the allocation's {attributes.QUOTA_TB} value {raw!r} is not a number") from None
    try:
        size = float(getattr(allocation, "size", None) or 0)  # FASRC fork only
    except (TypeError, ValueError):
        size = 0.0
    if size > 0:
        return size
    return float(allocation.quantity or 0) * settings.tb_per_quantity


def ldap_group_for(allocation, source: str) -> str | None:
    if source == "project_title":
        return allocation.project.title
    if source == "pi_username":
        return allocation.project.pi.username
    return None


def _check_not_recorded_elsewhere(allocation_pk: int, names: naming.Names) -> None:
    others = records.other_allocations_recording(attributes.NAMESPACE, names.namespace, allocation_pk)
    if others:
        how = "is set in this allocation's Namespace attribute" if names.namespace_from_attribute else (
            "was derived from the project title")
        raise ProvisioningError(
            f"namespace {names.namespace!r} ({how}) is already recorded by allocation(s) "
            f"{', '.join(map(str, others))}; set this allocation's Namespace attribute to a different name"
        )


def make_plan(allocation, resource, settings: conf.ECSSettings, automation=()) -> Plan:
    """Validate everything that needs no ECS call; raise ProvisioningError with the fix."""
    try:
        records.require_allocation_types(spec.name for spec in attributes.ALLOCATION_ATTRIBUTES)
        endpoint = endpoint_for_resource(resource, settings)
        filesystem = check_automation(automation)
        names = naming.resolve_names(
            allocation.project.title,
            records.get_value(allocation, attributes.NAMESPACE),
            records.get_value(allocation, attributes.BUCKET),
        )
        _check_not_recorded_elsewhere(allocation.pk, names)
        tb = quota_tb_for(allocation, settings)
        block = units.tb_to_gb(tb)
    except (records.MissingAttributeTypes, EndpointError, naming.NamingError, units.QuotaValueError) as exc:
        raise ProvisioningError(str(exc)) from exc
    mapping: tuple[dict, ...] = ()
    domain = records.resource_value(resource, attributes.LDAP_DOMAIN)
    group = ldap_group_for(allocation, settings.ldap_group_source)
    if domain and group:
        mapping = ({"domain": domain, "groups": [group], "attributes": []},)
    elif not domain:
        _log(logging.INFO, "resource %s has no %s attribute: namespace %s is created without a user mapping",
             resource.name, attributes.LDAP_DOMAIN, names.namespace)
    return Plan(
        allocation_pk=allocation.pk,
        resource_name=resource.name,
        endpoint=endpoint,
        namespace=names.namespace,
        bucket=names.bucket,
        namespace_from_attribute=names.namespace_from_attribute,
        quota_tb=tb,
        block_gb=block,
        notification_gb=units.notification_gb(block, settings.quota_notification_percent),
        filesystem_enabled=filesystem,
        replication_group_name=records.resource_value(resource, attributes.REPLICATION_GROUP),
        user_mapping=mapping,
    )


# -- step 2: ECS reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    namespace: Namespace | None
    bucket_exists: bool
    replication_group_id: str


def _existing_namespace(client, plan: Plan) -> Namespace | None:
    try:
        return client.get_namespace(plan.namespace)
    except ECSNotFound:
        return None
    except ECSError as exc:
        raise ProvisioningError(f"could not check whether namespace {plan.namespace!r} exists on ECS: {exc}") from exc


def _replication_group(client, plan: Plan, existing: Namespace | None) -> str:
    if plan.replication_group_name:
        try:
            return client.replication_group_id(plan.replication_group_name)
        except ECSNotFound as exc:
            raise ProvisioningError(
                f"replication group {plan.replication_group_name!r} (resource attribute "
                f"{attributes.REPLICATION_GROUP} of {plan.resource_name}) does not exist on ECS: {exc}"
            ) from exc
        except ECSError as exc:
            raise ProvisioningError(f"could not list ECS replication groups: {exc}") from exc
    if existing is not None and existing.default_replication_group:
        return existing.default_replication_group
    raise ProvisioningError(
        f"no replication group: set the resource attribute {attributes.REPLICATION_GROUP!r} on {plan.resource_name} "
        "to the ECS replication group name (e.g. rg1)"
    )


def _bucket_exists(client, plan: Plan) -> bool:
    try:
        client.get_bucket(plan.namespace, plan.bucket)
        return True
    except ECSNotFound:
        return False
    except ECSError as exc:
        raise ProvisioningError(f"could not check whether bucket {plan.bucket!r} exists on ECS: {exc}") from exc


def inspect(client, plan: Plan) -> Found:
    """Read what ECS has; refuse a namespace that is not this allocation's."""
    existing = _existing_namespace(client, plan)
    if existing is not None and not plan.namespace_from_attribute:
        raise ProvisioningError(
            f"namespace {plan.namespace!r} already exists on ECS ({plan.resource_name}) and is not recorded as this "
            "allocation's; it may belong to another lab. Set this allocation's Namespace attribute to an unused "
            "name (or to this name, only if that namespace really is this allocation's)"
        )
    group = _replication_group(client, plan, existing)
    bucket_exists = _bucket_exists(client, plan) if existing is not None else False
    return Found(existing, bucket_exists, group)


# -- step 3: writes, with undo -------------------------------------------------------------------


def _undo(client, plan: Plan, outcome: Outcome) -> list[str]:
    """Delete what this run created, bucket first; return what could not be removed."""
    left: list[str] = []
    if outcome.created_bucket:
        try:
            client.delete_bucket(plan.namespace, plan.bucket)
            _log(logging.INFO, "undo: deleted bucket %s/%s", plan.namespace, plan.bucket)
        except ECSError as exc:
            left.append(f"bucket {plan.bucket!r} in namespace {plan.namespace!r} ({exc})")
    if outcome.created_namespace:
        try:
            client.delete_namespace(plan.namespace)
            _log(logging.INFO, "undo: deleted namespace %s", plan.namespace)
        except ECSError as exc:
            left.append(f"namespace {plan.namespace!r} ({exc})")
    return left


def apply(client, plan: Plan, found: Found, allocation) -> Outcome:
    """Create what is missing, set both quotas, record the names; undo on failure."""
    outcome = Outcome(plan.namespace, plan.bucket, plan.quota_tb, adopted_namespace=found.namespace is not None)
    step = "start"
    old_quota: Quota | None = None  # of an adopted namespace, to put back if a later step fails
    namespace_quota_changed = False
    try:
        if found.namespace is not None:
            old_quota = found.namespace.quota
            if old_quota is None:  # this ECS's namespace GET carried no quota
                step = f"read the quota of namespace {plan.namespace!r}"
                old_quota = client.get_namespace_quota(plan.namespace)
        if found.namespace is None:
            step = f"create namespace {plan.namespace!r}"
            client.create_namespace(plan.namespace, replication_group_id=found.replication_group_id,
                                    user_mapping=[dict(m) for m in plan.user_mapping] or None)
            outcome.created_namespace = True
            _log(logging.INFO, "created namespace %s (replication group %s)", plan.namespace,
                 found.replication_group_id)
        step = f"set quota of namespace {plan.namespace!r}"
        client.set_namespace_quota(plan.namespace, plan.block_gb, plan.notification_gb)
        namespace_quota_changed = True
        if not found.bucket_exists:
            # the quota travels in the create call (ECS 3.0+): one request fewer than create + PUT quota
            step = f"create bucket {plan.bucket!r} with its quota"
            client.create_bucket(plan.namespace, plan.bucket, replication_group_id=found.replication_group_id,
                                 filesystem_enabled=plan.filesystem_enabled,
                                 quota=Quota(plan.block_gb, plan.notification_gb))
            outcome.created_bucket = True
            _log(logging.INFO, "created bucket %s/%s (filesystem=%s)", plan.namespace, plan.bucket,
                 plan.filesystem_enabled)
        else:
            step = f"set quota of bucket {plan.bucket!r}"
            client.set_bucket_quota(plan.namespace, plan.bucket, plan.block_gb, plan.notification_gb)
        step = "record the names and quota on the allocation"
        records.record_names(allocation, plan.namespace, plan.bucket)
        records.record_quota(allocation, plan.quota_tb)
    except Exception as exc:
        left = _undo(client, plan, outcome)
        message = f"failed to {step}: {exc}"
        if namespace_quota_changed and not outcome.created_namespace and old_quota is not None:
            problem = quota.restore_namespace_quota(client, plan.namespace, old_quota)
            message += (f". The quota of namespace {plan.namespace!r} could not be put back ({problem}); "
                        "approving again sets both quotas" if problem else
                        f". The quota of namespace {plan.namespace!r} was put back")
        if left:
            message += f". Undo also failed; left on ECS: {'; '.join(left)}: remove by hand before approving again"
        elif outcome.created_namespace or outcome.created_bucket:
            message += ". Everything this attempt created on ECS was removed"
        raise ProvisioningError(message) from exc
    return outcome


# -- entry point ---------------------------------------------------------------------------------


def _lock(allocation_pk: int, wait_seconds: float = 120.0):
    """The allocation row, locked until the surrounding transaction ends.

    PostgreSQL/MariaDB: SELECT ... FOR UPDATE waits for a concurrent run.  SQLite has no row
    locks: a no-op UPDATE takes its database write lock instead, retried while another run
    holds it (SQLite may report "locked" at once rather than waiting).
    """
    from coldfront.core.allocation.models import Allocation

    if connection.vendor != "sqlite":
        return Allocation.objects.select_for_update().get(pk=allocation_pk)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with transaction.atomic():  # a savepoint, so a refused attempt leaves the transaction usable
                Allocation.objects.filter(pk=allocation_pk).update(quantity=F("quantity"))
                return Allocation.objects.get(pk=allocation_pk)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def provision(allocation_pk: int, *, resource=None, automation: Iterable[str] | str | None = ()) -> Outcome:
    """Provision one allocation on its ECS resource; idempotent; raises ProvisioningError."""
    try:
        settings = conf.load()
    except conf.SettingsError as exc:
        raise ProvisioningError(f"ECS settings: {exc}") from exc
    with transaction.atomic():
        allocation = _lock(allocation_pk)
        resource = resource or allocation.get_parent_resource
        if resource is None:
            raise ProvisioningError(f"allocation {allocation_pk} has no resource")
        plan = make_plan(allocation, resource, settings, automation)
        _log(logging.INFO, "provisioning allocation %s on %s: namespace=%s bucket=%s quota=%s TB (%s GB)",
             allocation_pk, resource.name, plan.namespace, plan.bucket, plan.quota_tb, plan.block_gb)
        with client_for_endpoint(plan.endpoint, settings) as client:
            found = inspect(client, plan)
            outcome = apply(client, plan, found, allocation)
    _log(logging.INFO, "provisioned allocation %s: namespace=%s (%s) bucket=%s (%s)", allocation_pk,
         outcome.namespace, "adopted" if outcome.adopted_namespace else "created", outcome.bucket,
         "created" if outcome.created_bucket else "existing")
    return outcome
