"""Tell the admin why ECS work failed on stock ColdFront, and undo the ColdFront-side change.

Stock ColdFront's views do not catch receiver exceptions (a 500 page after the allocation
is already saved Active, or the attribute already changed).  The receivers catch instead,
and use these helpers: put the previous value back (from django-simple-history) and leave
an AllocationAdminNote with the reason (mirrored as a private note on the allocation page), so
the admin sees it and can try again.
"""

from __future__ import annotations

import logging

from .. import logs

logger = logs.get_logger(__name__)

SYSTEM_USERNAME = "coldfront-ecs-plugin"
NOTE_PREFIX = "ECS: "


def note_author(history_user=None):
    """The admin who triggered the change, else a superuser, else an inactive system user."""
    from django.contrib.auth import get_user_model

    if history_user is not None:
        return history_user
    user_model = get_user_model()
    admin = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is not None:
        return admin
    user, _ = user_model.objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": False})
    return user


def add_admin_note(allocation, text: str, author=None):
    """An AllocationAdminNote, plus the same text as a *private* note on the allocation page.

    ColdFront 1.1 lists admin notes only in Django's admin site; its allocation page shows
    user notes, and private ones only to superusers.  Writing both lets the admin see the reason
    where they approved, without showing it to the PI.
    """
    from coldfront.core.allocation.models import AllocationAdminNote, AllocationUserNote

    author = note_author(author)
    AllocationUserNote.objects.create(allocation=allocation, author=author, is_private=True, note=NOTE_PREFIX + text)
    return AllocationAdminNote.objects.create(allocation=allocation, author=author, note=NOTE_PREFIX + text)


def previous_status(allocation):
    """(status the allocation had before its current one, user who made the change)."""
    records = list(allocation.history.order_by("-history_date", "-history_id")[:50])
    current = allocation.status_id
    user = records[0].history_user if records else None
    for record in records:
        if record.status_id != current:
            return record.status, user
    return None, user


def revert_activation(allocation_pk: int, reason: str) -> str | None:
    """Put the allocation back to its status before activation and add a note; returns that status name."""
    from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

    allocation = Allocation.objects.select_related("status").get(pk=allocation_pk)
    status, user = previous_status(allocation)
    if status is None:
        status = AllocationStatusChoice.objects.filter(name="New").first()
    came_from = status.name if status else None
    if status is not None and status.pk != allocation.status_id:
        allocation.status = status
        allocation.save()
    add_admin_note(
        allocation,
        f"provisioning failed; status put back to {came_from!r}. Fix the cause, then approve again. Reason: {reason}",
        user,
    )
    logger.log(
        logging.ERROR,
        "provisioning of allocation %s failed, status reverted to %s: %s",
        allocation_pk,
        came_from,
        reason,
    )
    return came_from


def revert_attribute(attribute_pk: int, reason: str) -> str | None:
    """Put an allocation attribute back to its previous value and add a note; returns that value."""
    from coldfront.core.allocation.models import AllocationAttribute

    attribute = AllocationAttribute.objects.select_related("allocation", "allocation_attribute_type").get(
        pk=attribute_pk
    )
    history = list(attribute.history.order_by("-history_date", "-history_id")[:50])
    user = history[0].history_user if history else None
    old = next((h.value for h in history if h.value != attribute.value), None)
    name = attribute.allocation_attribute_type.name
    if old is not None:
        attribute.value = old
        attribute.save()
        text = f"changing {name} failed; the value was put back to {old}. Reason: {reason}"
    else:
        text = f"changing {name} to {attribute.value} failed (no previous value to restore). Reason: {reason}"
    add_admin_note(attribute.allocation, text, user)
    logger.log(
        logging.ERROR,
        "quota change of allocation %s failed, %s restored to %s: %s",
        attribute.allocation_id,
        name,
        old,
        reason,
    )
    return old


def add_note_to(allocation_pk: int | None, text: str, author=None) -> None:
    """``add_admin_note`` by allocation id (no-op for a binding whose allocation was deleted)."""
    from coldfront.core.allocation.models import Allocation

    allocation = Allocation.objects.filter(pk=allocation_pk).first() if allocation_pk is not None else None
    if allocation is not None:
        add_admin_note(allocation, text, author)


def reopen_change_request(attribute_pk: int, value: str, reason: str) -> int | None:
    """Put the approved change request that set ``value`` back to Pending, with the reason in its notes.

    ColdFront has no "failed" state for a change request; Pending lets the admin approve it again once
    the cause is fixed, and the PI no longer sees "Approved" for a quota ECS does not have.
    """
    from coldfront.core.allocation.models import AllocationAttributeChangeRequest, AllocationChangeStatusChoice

    change = (
        AllocationAttributeChangeRequest.objects.filter(
            allocation_attribute_id=attribute_pk, new_value=value, allocation_change_request__status__name="Approved"
        )
        .select_related("allocation_change_request")
        .order_by("-pk")
        .first()
    )
    pending = AllocationChangeStatusChoice.objects.filter(name="Pending").first()
    if change is None or pending is None:
        return None
    request = change.allocation_change_request
    request.status = pending
    request.notes = (NOTE_PREFIX + f"not applied on ECS, back to Pending: {reason}")[:512]
    request.save()
    return request.pk
