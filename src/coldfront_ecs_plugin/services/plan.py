"""Everything provisioning decides before it touches ECS: names, quota, endpoint, options.

Plain values only (``Plan``), so the ECS phase runs with no database access and no open
transaction. A refusal here costs no ECS request and names the fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from .. import attributes, conf, logs, naming, units
from ..connections import endpoint_for_resource
from ..endpoints import EndpointError
from . import records

logger = logs.get_logger(__name__)

SUPPORTED_AUTOMATION = {"nfs_share"}
#: the attribute types provisioning cannot work without (``ECS Status`` is optional: a warning)
REQUIRED_TYPES = (attributes.NAMESPACE, attributes.BUCKET, attributes.QUOTA_TB, attributes.QUOTA_BYTES)


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
    #: allocations (same project, Revoked/Expired/Denied) whose namespace this one takes back
    takeover_from: tuple[int, ...] = ()


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


#: statuses of an allocation whose namespace its project may take back for a new allocation
RETIRED_STATUSES = ("Revoked", "Expired", "Denied")


def may_take_over(allocation, other_pk: int) -> bool:
    """A project's new allocation may take its own Revoked/Expired/Denied allocation's namespace."""
    from coldfront.core.allocation.models import Allocation

    other = Allocation.objects.filter(pk=other_pk).values_list("project_id", "status__name").first()
    return other is not None and other[0] == allocation.project_id and other[1] in RETIRED_STATUSES


def _check_not_recorded_elsewhere(allocation, names: naming.Names) -> tuple[int, ...]:
    """Other allocations recording the namespace: refused, unless this is a deliberate take-back."""
    others = records.other_allocations_recording(attributes.NAMESPACE, names.namespace, allocation.pk)
    if not others:
        return ()
    if names.namespace_from_attribute and all(may_take_over(allocation, pk) for pk in others):
        return tuple(others)
    how = (
        "is set in this allocation's Namespace attribute"
        if names.namespace_from_attribute
        else ("was derived from the project title")
    )
    raise ProvisioningError(
        f"namespace {names.namespace!r} ({how}) is already recorded by allocation(s) "
        f"{', '.join(map(str, others))}; set this allocation's Namespace attribute to a different name "
        "(a project may take back the namespace of its own Revoked, Expired or Denied allocation)"
    )


def make_plan(
    allocation, resource, settings: conf.ECSSettings, automation=(), *, bound: naming.Names | None = None
) -> Plan:
    """Validate everything that needs no ECS call; raise ProvisioningError with the fix.

    ``bound``: the names of the allocation's binding, which win over attributes and titles.
    """
    takeover: tuple[int, ...] = ()
    try:
        records.require_allocation_types(REQUIRED_TYPES)
        endpoint = endpoint_for_resource(resource, settings)
        filesystem = check_automation(automation)
        names = bound or naming.resolve_names(
            allocation.project.title,
            records.get_value(allocation, attributes.NAMESPACE),
            records.get_value(allocation, attributes.BUCKET),
        )
        if bound is None:
            takeover = _check_not_recorded_elsewhere(allocation, names)
        tb = quota_tb_for(allocation, settings)
        block = units.tb_to_gb(tb)
    except (records.MissingAttributeTypes, EndpointError, naming.NamingError, units.QuotaValueError) as exc:
        raise ProvisioningError(str(exc)) from exc
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
        user_mapping=_user_mapping(allocation, resource, settings, names.namespace),
        takeover_from=takeover,
    )


def _user_mapping(allocation, resource, settings: conf.ECSSettings, namespace: str) -> tuple[dict, ...]:
    """The namespace's LDAP group mapping, when the resource names a domain and the allocation a group."""
    domain = records.resource_value(resource, attributes.LDAP_DOMAIN)
    group = ldap_group_for(allocation, settings.ldap_group_source)
    if domain and group:
        return ({"domain": domain, "groups": [group], "attributes": []},)
    if not domain:
        logger.log(
            logging.INFO,
            "resource %s has no %s attribute: namespace %s is created without a user mapping",
            resource.name,
            attributes.LDAP_DOMAIN,
            namespace,
        )
    return ()
