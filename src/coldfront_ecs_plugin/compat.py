"""What differs between the ColdFront releases the plugin supports (stock 1.1.4 up to 1.1.x, and the
FASRC fork), kept in one place.

* Quota changes before ColdFront 1.1.8: ``allocation_attribute_changed`` does not exist there; an
  approved change request sends only ``allocation_change_approved(allocation_pk,
  allocation_change_pk)``, after every attribute value has been saved.  ``on_allocation_change_approved``
  reads that change's attribute changes and hands each one to the same receiver 1.1.8+ uses.  It is
  connected only where ``allocation_attribute_changed`` is missing and the fork's
  ``allocation_autoupdate`` is absent (there the fork's own signal carries the change), so a quota
  change is never applied twice.
* The task queue: the ``django_q`` module comes from django-q 1.3.9 (ColdFront 1.1.4 to 1.1.6, the fork) or
  django-q2 (1.1.7+).  The plugin uses only what both provide (``async_task``, ``Schedule``);
  ``django_q_available`` tells whether either is installed.
* ``check_compat`` (a system check) warns about what this ColdFront lacks, instead of failing at import.
"""

from __future__ import annotations

import importlib.util
import logging

from django.core import checks

from . import attributes

logger = logging.getLogger(__name__)

CHANGE_APPROVED = "allocation_change_approved"
ATTRIBUTE_CHANGED = "allocation_attribute_changed"
DISPATCH_UID = "coldfront_ecs_plugin.allocation_change_approved"
NO_QUOTA_SIGNAL_WARNING = "coldfront_ecs_plugin.W004"
NO_TASK_QUEUE_WARNING = "coldfront_ecs_plugin.W005"


def _signals_module():
    from coldfront.core.allocation import signals

    return signals


def needs_change_approved_receiver(module=None) -> bool:
    """True on a stock ColdFront without ``allocation_attribute_changed`` (releases before 1.1.8)."""
    from .signals import FORK_SIGNALS

    module = module or _signals_module()
    if hasattr(module, ATTRIBUTE_CHANGED) or all(hasattr(module, name) for name in FORK_SIGNALS):
        return False
    return hasattr(module, CHANGE_APPROVED)


def on_allocation_change_approved(
    sender, allocation_pk: int | None = None, allocation_change_pk: int | None = None, **kwargs
) -> None:
    """ColdFront < 1.1.8: apply the approved change's ``Storage Quota (TB)`` through the 1.1.8+ receiver."""
    from coldfront.core.allocation.models import AllocationAttributeChangeRequest

    from .signals import fork_signals_present, on_allocation_attribute_changed

    if fork_signals_present():  # the fork's allocation_autoupdate carries its quota changes
        return
    changes = (
        AllocationAttributeChangeRequest.objects.filter(
            allocation_change_request_id=allocation_change_pk,
            allocation_attribute__allocation_attribute_type__name=attributes.QUOTA_TB,
        )
        .select_related("allocation_attribute")
        .order_by("pk")
    )
    for change in changes:
        attribute = change.allocation_attribute
        on_allocation_attribute_changed(
            sender, attribute_pk=attribute.pk, allocation_pk=allocation_pk or attribute.allocation_id
        )


def connect_legacy_receivers(module=None) -> list[str]:
    """Connect the receivers only older ColdFronts need; safe to call again. Returns the signal names."""
    module = module or _signals_module()
    if not needs_change_approved_receiver(module):
        return []
    getattr(module, CHANGE_APPROVED).connect(on_allocation_change_approved, dispatch_uid=DISPATCH_UID, weak=False)
    return [CHANGE_APPROVED]


def django_q_available() -> bool:
    """Whether a ``django_q`` module (django-q 1.3.9 or django-q2) is installed."""
    return importlib.util.find_spec("django_q") is not None


def check_compat(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warnings for what this ColdFront lacks; the rest of the plugin keeps working."""
    found: list[checks.CheckMessage] = []
    try:
        module = _signals_module()
    except ImportError:  # pragma: no cover - ColdFront itself missing: Django would not start
        return found
    from .signals import FORK_SIGNALS

    fork = all(hasattr(module, name) for name in FORK_SIGNALS)
    if not fork and not hasattr(module, ATTRIBUTE_CHANGED) and not hasattr(module, CHANGE_APPROVED):
        found.append(
            checks.Warning(
                "this ColdFront sends neither allocation_attribute_changed nor allocation_change_approved: "
                "approved quota changes will not reach ECS",
                hint="Change quotas on ECS by hand, then run ecs_sync; or upgrade ColdFront (1.1.4 or later)",
                id=NO_QUOTA_SIGNAL_WARNING,
            )
        )
    if not django_q_available():
        found.append(
            checks.Warning(
                "no django_q module (django-q or django-q2) is installed: ecs_sync --queue and "
                "ecs_setup --schedule are unavailable",
                hint="Run ecs_sync from cron, or install the task queue your ColdFront release uses",
                id=NO_TASK_QUEUE_WARNING,
            )
        )
    return found


def register() -> None:
    checks.register(check_compat, "coldfront_ecs_plugin")
