"""Signal receivers: they only translate ColdFront's signals into calls of the two services.

Stock ColdFront 1.1.10:
  * ``allocation_activate(allocation_pk)`` -> provisioning (fires again on renewal: the
    service is idempotent).  On failure: the allocation goes back to its previous status and
    gets an admin note; nothing propagates (it would be a 500 page).
  * ``allocation_attribute_changed(attribute_pk, allocation_pk)`` for ``Storage Quota (TB)``
    -> quota change (change-request approval and the admin attribute-edit page).  On failure:
    the attribute's previous value is restored and an admin note added.

FASRC fork (only when ``coldfront.core.allocation.signals`` defines them):
  * ``allocation_autocreate(allocation_obj, resource, approval_form_data)`` -> provisioning;
  * ``allocation_autoupdate(allocation_obj, new_quota_value)`` -> quota change.
  Both return "ecs" on success and raise ValueError with the reason, as the fork expects.
  On the fork, ``allocation_activate`` is left to autocreate (the admin chose automatic or
  manual creation there), so the stock receiver does nothing.
"""

from __future__ import annotations

import logging

from . import attributes, tasks
from .services import notes, provisioning, quota, records

logger = logging.getLogger(__name__)

RESULT = "ecs"
FORK_SIGNALS = ("allocation_autocreate", "allocation_autoupdate")


def _log(level: int, message: str, *args, exc_info: bool = False) -> None:
    logger.log(level, message, *args, exc_info=exc_info, extra={"category": attributes.LOG_CATEGORY})


def _signals_module():
    from coldfront.core.allocation import signals

    return signals


def fork_signals_present() -> bool:
    module = _signals_module()
    return all(hasattr(module, name) for name in FORK_SIGNALS)


def _ecs_resource_of(allocation):
    from .services import resources

    return resources.resource_for(allocation)


# -- stock ColdFront -----------------------------------------------------------------------------


def on_allocation_activate(sender, allocation_pk: int | None = None, **kwargs) -> None:
    """Provision on approval (or hand it to the task queue); on failure revert the status and note why."""
    from coldfront.core.allocation.models import Allocation

    if fork_signals_present():
        return
    if allocation_pk is None and kwargs.get("allocation_obj") is not None:
        allocation_pk = kwargs["allocation_obj"].pk
    allocation = Allocation.objects.filter(pk=allocation_pk).first()
    if allocation is None or _ecs_resource_of(allocation) is None:
        return
    try:
        if tasks.provision_async():
            tasks.enqueue_provision(allocation.pk)
        else:
            provisioning.provision(allocation.pk)
    except Exception as exc:
        _log(logging.ERROR, "ECS provisioning of allocation %s failed", allocation_pk, exc_info=True)
        notes.revert_activation(allocation.pk, _reason(exc))


def on_allocation_attribute_changed(sender, attribute_pk: int | None = None, allocation_pk: int | None = None,
                                    **kwargs) -> None:
    """Apply a changed ``Storage Quota (TB)`` on ECS; revert a direct ``Quota_In_Bytes`` edit."""
    from coldfront.core.allocation.models import AllocationAttribute

    attribute = (AllocationAttribute.objects.select_related("allocation_attribute_type", "allocation")
                 .filter(pk=attribute_pk).first())
    if attribute is None or attribute.allocation_attribute_type.name not in (attributes.QUOTA_TB,
                                                                             attributes.QUOTA_BYTES):
        return
    if _ecs_resource_of(attribute.allocation) is None:
        return
    if attribute.allocation_attribute_type.name == attributes.QUOTA_BYTES:
        notes.revert_attribute(attribute.pk, f"{attributes.QUOTA_BYTES} follows ECS and cannot be edited; change "
                                             f"{attributes.QUOTA_TB} instead")
        return
    try:
        new_tb = float(attribute.value)
    except (TypeError, ValueError):
        _refuse_quota(attribute, f"{attribute.value!r} is not a number of TB")
        return
    try:
        quota.change_quota(attribute.allocation_id, new_tb)
    except quota.NotLinked as exc:
        _refuse_quota(attribute, _reason(exc))
    except quota.NotProvisioned as exc:
        _log(logging.INFO, "%s", exc)
    except Exception as exc:
        _log(logging.ERROR, "ECS quota change of allocation %s failed", attribute.allocation_id, exc_info=True)
        _refuse_quota(attribute, _reason(exc))


def _refuse_quota(attribute, reason: str) -> None:
    """Put the value back, reopen the change request that asked for it, and say why."""
    requested = attribute.value
    notes.revert_attribute(attribute.pk, reason)
    notes.reopen_change_request(attribute.pk, requested, reason)


# -- FASRC fork ----------------------------------------------------------------------------------


def ecs_allocation_autocreate(sender, allocation_obj=None, resource=None, approval_form_data=None, **kwargs):
    """Fork contract: provision; "ecs" on success, None for other resources, ValueError on failure."""
    if allocation_obj is None or resource is None or not records.is_ecs_resource(resource):
        return None
    automation = (approval_form_data or {}).get("automation_specifications") or []
    try:
        provisioning.provision(allocation_obj.pk, resource=resource, automation=automation)
    except Exception as exc:
        _log(logging.ERROR, "ECS provisioning of allocation %s failed", allocation_obj.pk, exc_info=True)
        raise ValueError(f"ECS provisioning failed for allocation {allocation_obj.pk} on {resource.name}: "
                         f"{_reason(exc)}") from exc
    return RESULT


def ecs_allocation_autoupdate(sender, allocation_obj=None, new_quota_value=None, **kwargs):
    """Fork contract: change the quota; "ecs" on success, None for other resources, ValueError on failure."""
    if allocation_obj is None or new_quota_value is None:
        return None
    resource = _ecs_resource_of(allocation_obj)
    if resource is None:
        return None
    from .services import bindings

    if bindings.for_allocation(allocation_obj.pk) is None:
        raise ValueError(f"ECS quota update failed for allocation {allocation_obj.pk}: it is not linked to ECS "
                         "storage; link it with manage.py ecs_link, then change the quota again")
    try:
        quota.change_quota(allocation_obj.pk, float(new_quota_value), resource=resource)
    except Exception as exc:
        _log(logging.ERROR, "ECS quota change of allocation %s failed", allocation_obj.pk, exc_info=True)
        raise ValueError(f"ECS quota update failed for allocation {allocation_obj.pk}: {_reason(exc)}") from exc
    return RESULT


def _reason(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


# -- wiring --------------------------------------------------------------------------------------


def connect_receivers() -> list[str]:
    """Connect every receiver this ColdFront supports; safe to call again. Returns the signal names."""
    module = _signals_module()
    wiring = [
        ("allocation_activate", on_allocation_activate),
        ("allocation_attribute_changed", on_allocation_attribute_changed),
        ("allocation_autocreate", ecs_allocation_autocreate),
        ("allocation_autoupdate", ecs_allocation_autoupdate),
    ]
    connected = []
    for name, receiver in wiring:
        signal = getattr(module, name, None)
        if signal is None:
            continue
        signal.connect(receiver, dispatch_uid=f"coldfront_ecs_plugin.{name}", weak=False)
        connected.append(name)
    from . import compat

    connected += compat.connect_legacy_receivers(module)
    _log(logging.DEBUG, "connected ECS receivers to %s", ", ".join(connected))
    return connected
