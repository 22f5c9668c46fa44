"""Signal receivers: they only translate ColdFront's signals into calls of the two services.

Stock ColdFront 1.1.10:
  * ``allocation_activate(allocation_pk)`` -> provisioning (fires again on renewal: the
    service is idempotent).  On failure: the allocation goes back to its previous status and
    gets an admin note; nothing propagates (it would be a 500 page).
  * ``allocation_attribute_changed(attribute_pk, allocation_pk)`` for ``Storage Quota (TB)``
    -> quota change (change-request approval and the admin attribute-edit page).  On failure:
    the attribute's previous value is restored and an admin note added.

Lifecycle (issue 11; services/lifecycle):
  * Django's ``pre_save``/``post_save`` on ``Allocation`` -> ``lifecycle.status_changed`` for every
    status change of an allocation with a binding, whatever path saved it (the admin's view,
    ColdFront's daily expiry task, the Django admin, a script). The ECS work runs once the
    transaction commits (at once outside one), never inside the Django admin's transaction.
  * ``allocation_disable(allocation_pk)`` (Denied/Revoked in the admin's view) -> the same call; it
    is a no-op when the model signal already handled the change.
  * ``allocation_activate_user`` / ``allocation_remove_user(allocation_user_pk)`` -> the member's
    ECS object user created / keys deleted and user deactivated (``ECS_S3_USERS``).

FASRC fork (only when ``coldfront.core.allocation.signals`` defines them):
  * ``allocation_autocreate(allocation_obj, resource, approval_form_data)`` -> provisioning;
  * ``allocation_autoupdate(allocation_obj, new_quota_value)`` -> quota change.
  Both return "ecs" on success and raise ValueError with the reason, as the fork expects.
  On the fork, ``allocation_activate`` is left to autocreate (the admin chose automatic or
  manual creation there), so the stock receiver does nothing.
"""

from __future__ import annotations

import logging

from . import attributes, logs, tasks
from .services import notes, provisioning, quota, records

logger = logs.get_logger(__name__)

RESULT = "ecs"
FORK_SIGNALS = ("allocation_autocreate", "allocation_autoupdate")


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
        if not _explained(exc):  # an explained failure is logged once, with its reason, by the revert
            logger.log(logging.ERROR, "ECS provisioning of allocation %s failed", allocation_pk, exc_info=True)
        notes.revert_activation(allocation.pk, _reason(exc))


def on_allocation_attribute_changed(
    sender, attribute_pk: int | None = None, allocation_pk: int | None = None, **kwargs
) -> None:
    """Apply a changed ``Storage Quota (TB)`` on ECS; revert a direct ``Quota_In_Bytes`` edit."""
    from coldfront.core.allocation.models import AllocationAttribute

    attribute = (
        AllocationAttribute.objects.select_related("allocation_attribute_type", "allocation")
        .filter(pk=attribute_pk)
        .first()
    )
    if attribute is None or attribute.allocation_attribute_type.name not in (
        attributes.QUOTA_TB,
        attributes.QUOTA_BYTES,
    ):
        return
    if _ecs_resource_of(attribute.allocation) is None:
        return
    if attribute.allocation_attribute_type.name == attributes.QUOTA_BYTES:
        notes.revert_attribute(
            attribute.pk,
            f"{attributes.QUOTA_BYTES} follows ECS and cannot be edited; change {attributes.QUOTA_TB} instead",
        )
        return
    try:
        new_tb = float(attribute.value)
    except (TypeError, ValueError):
        _refuse_quota(attribute, f"{attribute.value!r} is not a number of TB")
        return
    try:  # a failure is refused while the change still holds the allocation (see quota.change_quota)
        quota.change_quota(
            attribute.allocation_id, new_tb, on_failure=lambda exc: _refuse_quota(attribute, _reason(exc))
        )
    except quota.NotLinked:
        pass  # refused with its reason
    except quota.NotProvisioned as exc:
        logger.log(logging.INFO, "%s", exc)
    except Exception:
        logger.log(logging.ERROR, "ECS quota change of allocation %s failed", attribute.allocation_id, exc_info=True)


def _refuse_quota(attribute, reason: str) -> None:
    """Put the value back, reopen the change request that asked for it, and say why."""
    requested = attribute.value
    notes.revert_attribute(attribute.pk, reason)
    notes.reopen_change_request(attribute.pk, requested, reason)


# -- lifecycle and members ----------------------------------------------------------------------


def remember_status(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save: note the stored status of an allocation that has ECS storage (one query)."""
    if raw or instance.pk is None:
        return
    instance._ecs_old_status = (
        type(instance)
        .objects.filter(pk=instance.pk, ecs_binding__isnull=False)
        .values_list("status__name", flat=True)
        .first()
    )


def on_status_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save: a changed status is handed to the lifecycle service after the commit."""
    from django.db import transaction

    from .services import lifecycle

    old = instance.__dict__.pop("_ecs_old_status", None)
    if raw or old is None:
        return
    new = instance.status.name
    if new != old:
        pk = instance.pk
        transaction.on_commit(lambda: lifecycle.run_safely(lifecycle.status_changed, pk, old, new))


def on_allocation_disable(sender, allocation_pk: int | None = None, **kwargs) -> None:
    """Denied/Revoked in the admin's view; normally already handled by ``on_status_saved``."""
    from coldfront.core.allocation.models import Allocation

    from .services import lifecycle

    status = Allocation.objects.filter(pk=allocation_pk).values_list("status__name", flat=True).first()
    if status is not None:
        lifecycle.run_safely(lifecycle.status_changed, allocation_pk, None, status)


def on_allocation_activate_user(sender, allocation_user_pk: int | None = None, **kwargs) -> None:
    from .services import s3_users

    _member_change(s3_users.member_added, allocation_user_pk, "create the S3 object user of")


def on_allocation_remove_user(sender, allocation_user_pk: int | None = None, **kwargs) -> None:
    from .services import s3_users

    _member_change(s3_users.member_removed, allocation_user_pk, "remove the S3 object user of")


def _member_change(func, allocation_user_pk: int | None, what: str) -> None:
    """Run a member change; a failure becomes a note (the next ecs_sync reconciles), never a 500 page."""
    from coldfront.core.allocation.models import AllocationUser

    try:
        func(allocation_user_pk)
    except Exception as exc:
        logger.log(logging.ERROR, "ECS: could not %s allocation user %s", what, allocation_user_pk, exc_info=True)
        member = AllocationUser.objects.select_related("user").filter(pk=allocation_user_pk).first()
        if member is not None:
            notes.add_note_to(
                member.allocation_id,
                f"could not {what} {member.user.username}: {_reason(exc)}; the next ecs_sync tries again",
            )


# -- FASRC fork ----------------------------------------------------------------------------------


def ecs_allocation_autocreate(sender, allocation_obj=None, resource=None, approval_form_data=None, **kwargs):
    """Fork contract: provision; "ecs" on success, None for other resources, ValueError on failure."""
    if allocation_obj is None or resource is None or not records.is_ecs_resource(resource):
        return None
    automation = (approval_form_data or {}).get("automation_specifications") or []
    try:
        provisioning.provision(allocation_obj.pk, resource=resource, automation=automation)
    except Exception as exc:
        _log_failure("provisioning", allocation_obj.pk, exc)
        raise ValueError(
            f"ECS provisioning failed for allocation {allocation_obj.pk} on {resource.name}: {_reason(exc)}"
        ) from exc
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
        raise ValueError(
            f"ECS quota update failed for allocation {allocation_obj.pk}: it is not linked to ECS "
            "storage; link it with manage.py ecs_link, then change the quota again"
        )
    try:
        quota.change_quota(allocation_obj.pk, float(new_quota_value), resource=resource)
    except Exception as exc:
        _log_failure("quota change", allocation_obj.pk, exc)
        raise ValueError(f"ECS quota update failed for allocation {allocation_obj.pk}: {_reason(exc)}") from exc
    return RESULT


def _reason(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def _explained(exc: Exception) -> bool:
    """A failure whose message says what went wrong and what to do: a traceback adds nothing for an admin."""
    return isinstance(exc, (provisioning.ProvisioningError, quota.QuotaChangeError))


def _log_failure(what: str, allocation_pk: int, exc: Exception) -> None:
    """One line with the reason for an explained failure; the traceback for anything else (a bug)."""
    if _explained(exc):
        logger.log(logging.ERROR, "ECS %s of allocation %s failed: %s", what, allocation_pk, _reason(exc))
    else:
        logger.log(logging.ERROR, "ECS %s of allocation %s failed", what, allocation_pk, exc_info=True)


# -- wiring --------------------------------------------------------------------------------------


def _connect_model_signals() -> list[str]:
    from coldfront.core.allocation.models import Allocation
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(remember_status, sender=Allocation, dispatch_uid="coldfront_ecs_plugin.pre_save", weak=False)
    post_save.connect(on_status_saved, sender=Allocation, dispatch_uid="coldfront_ecs_plugin.post_save", weak=False)
    return ["pre_save(Allocation)", "post_save(Allocation)"]


def connect_receivers() -> list[str]:
    """Connect every receiver this ColdFront supports; safe to call again. Returns the signal names."""
    module = _signals_module()
    wiring = [
        ("allocation_activate", on_allocation_activate),
        ("allocation_attribute_changed", on_allocation_attribute_changed),
        ("allocation_autocreate", ecs_allocation_autocreate),
        ("allocation_autoupdate", ecs_allocation_autoupdate),
    ]
    wiring += [
        ("allocation_disable", on_allocation_disable),
        ("allocation_activate_user", on_allocation_activate_user),
        ("allocation_remove_user", on_allocation_remove_user),
    ]
    connected = _connect_model_signals()
    for name, receiver in wiring:
        signal = getattr(module, name, None)
        if signal is None:
            continue
        signal.connect(receiver, dispatch_uid=f"coldfront_ecs_plugin.{name}", weak=False)
        connected.append(name)
    from . import compat

    connected += compat.connect_legacy_receivers(module)
    logger.log(logging.DEBUG, "connected ECS receivers to %s", ", ".join(connected))
    return connected
