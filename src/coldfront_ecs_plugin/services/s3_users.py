"""ECS object users for an allocation's members (``ECS_S3_USERS``): create, remove, reconcile.

Naming (collision-safe whether ECS's user scope is global or per namespace)::

    <namespace>-<username, lower-cased, other characters than a-z 0-9 . _ - made "-">-<8 hex>

cut so the whole id is at most 64 characters, where the 8 hex digits are the start of
SHA-256("<namespace>/<username>"). The namespace is unique on a cluster and the username unique
in ColdFront, so the pair is unique; the hash keeps two pairs apart even when lower-casing, the
character rule, the cut or a ``-`` inside a name would make their readable parts equal. A
stranger's object user that already has the id is never adopted: the create is refused.

Secret keys are never read here except to delete them; nothing secret is stored or logged.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.db import transaction

from .. import conf, logs
from ..connections import client_for_endpoint
from ..ecs import ECSAlreadyExists, ECSBadRequest, ECSError, ECSNotFound
from ..models import ECSBinding, ECSObjectUser, ObjectUserState
from .cluster import time_bound

logger = logs.get_logger(__name__)

MAX_USERID = 64
_DISALLOWED = re.compile(r"[^a-z0-9._-]+")
#: binding states in which members have object users (read access stays while frozen)
SERVED_STATES = ("active", "frozen")
#: ColdFront removes every member from an allocation set to these (allocation_remove_user per user)
UNSERVED_STATUSES = ("Revoked", "Denied")


class S3UserError(RuntimeError):
    """An object user could not be created or removed; the message says why."""


def object_user_id(namespace: str, username: str) -> str:
    """The ECS object user id of ``username`` on ``namespace`` (see the module docstring)."""
    digest = hashlib.sha256(f"{namespace}/{username}".encode()).hexdigest()[:8]
    readable = _DISALLOWED.sub("-", username.lower()).strip("-") or "user"
    room = MAX_USERID - len(digest) - 1
    return f"{namespace}-{readable}"[:room].rstrip("-") + f"-{digest}"


def _row(binding: ECSBinding, user) -> ECSObjectUser:
    row = ECSObjectUser.objects.filter(binding=binding, username=user.username).first()
    if row is None:
        row = ECSObjectUser(
            binding=binding,
            user=user,
            username=user.username,
            namespace=binding.namespace,
            userid=object_user_id(binding.namespace, user.username),
            state=ObjectUserState.FAILED,
        )
    return row


def _save(row: ECSObjectUser, state: str, error: str = "") -> None:
    row.state, row.last_error = state, error[:2000]
    with transaction.atomic():
        row.save()


def create_on(client, binding: ECSBinding, user) -> ECSObjectUser:
    """Create ``user``'s object user in the binding's namespace (idempotent for our own user)."""
    row = _row(binding, user)
    if row.state == ObjectUserState.ACTIVE and row.pk:
        return row
    # a row means the plugin created (or tried to create) this id, unless ECS showed it was a stranger's
    ours = row.pk is not None and row.state != ObjectUserState.CONFLICT
    try:
        client.create_object_user(
            row.userid, binding.namespace, tags={"coldfront_allocation": str(binding.allocation_id)}
        )
    except ECSAlreadyExists as exc:
        if not ours:
            _save(
                row,
                ObjectUserState.CONFLICT,
                f"object user {row.userid!r} already exists on ECS and is not this plugin's; it was not adopted",
            )
            raise S3UserError(row.last_error) from exc
    except ECSError as exc:
        _save(row, ObjectUserState.FAILED, f"could not create object user {row.userid!r}: {exc}")
        raise S3UserError(row.last_error) from exc
    _save(row, ObjectUserState.ACTIVE)
    logger.log(
        logging.INFO, "object user %s created for %s on allocation %s", row.userid, user.username, binding.allocation_id
    )
    return row


def remove_on(client, row: ECSObjectUser) -> None:
    """Delete the user's secret keys, then deactivate (remove) the object user; absent counts as done."""
    try:
        client.delete_secret_key(row.userid, row.namespace)
    except ECSNotFound:
        pass
    except ECSError as exc:
        # ECS refusing because the user "has no key" is done; anything else (an ECS error, an unknown
        # outcome) is a failure. ECS's own message only: str(exc) names the path, which says "keys"
        if not (isinstance(exc, ECSBadRequest) and "key" in exc.message.lower()):
            raise S3UserError(f"could not delete the secret keys of {row.userid!r}: {exc}") from exc
    try:
        client.delete_object_user(row.userid, row.namespace)
    except ECSNotFound:
        pass
    except ECSError as exc:
        raise S3UserError(f"could not deactivate object user {row.userid!r}: {exc}") from exc
    _save(row, ObjectUserState.REMOVED)
    logger.log(
        logging.INFO,
        "object user %s of %s removed (allocation %s)",
        row.userid,
        row.username,
        row.binding.allocation_id,
    )


def active_members(binding: ECSBinding) -> list:
    """The allocation's users whose AllocationUser status is Active (ColdFront's own rule for access)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            allocationuser__allocation_id=binding.allocation_id, allocationuser__status__name="Active", is_active=True
        )
        .order_by("username")
    )


def reconcile_on(client, binding: ECSBinding, *, serve: bool) -> list[str]:
    """Make the object users match the members (``serve``) or remove them all (not ``serve``)."""
    wanted = {u.username: u for u in active_members(binding)} if serve else {}
    problems = []
    for row in ECSObjectUser.objects.filter(binding=binding).exclude(state=ObjectUserState.REMOVED):
        if row.username not in wanted:
            try:
                remove_on(client, row)
            except S3UserError as exc:
                problems.append(str(exc))
    have = set(
        ECSObjectUser.objects.filter(binding=binding, state=ObjectUserState.ACTIVE).values_list("username", flat=True)
    )
    for username, user in wanted.items():
        if username not in have:
            try:
                create_on(client, binding, user)
            except S3UserError as exc:
                problems.append(str(exc))
    return problems


def needs_reconcile(binding: ECSBinding, serve: bool) -> bool:
    """Database-only check, so the scheduled sync calls ECS only when membership drifted."""
    rows = ECSObjectUser.objects.filter(binding=binding).exclude(state=ObjectUserState.REMOVED)
    have = set(rows.filter(state=ObjectUserState.ACTIVE).values_list("username", flat=True))
    if not serve:
        return rows.exists()
    wanted = {u.username for u in active_members(binding)}
    return have != wanted or rows.filter(state=ObjectUserState.FAILED).exists()


def reconcile(binding: ECSBinding, settings: conf.ECSSettings, *, serve: bool) -> list[str]:
    """``reconcile_on`` with its own client; returns the problems (empty when all is well)."""
    try:
        with client_for_endpoint(binding.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
            return reconcile_on(client, binding, serve=serve)
    except ECSError as exc:
        return [f"could not reach ECS to update the object users: {exc}"]


def should_serve(binding: ECSBinding) -> bool:
    """Members get object users while the storage is readable and ColdFront has not removed them."""
    from coldfront.core.allocation.models import Allocation

    status = Allocation.objects.filter(pk=binding.allocation_id).values_list("status__name", flat=True).first()
    return binding.state in SERVED_STATES and status is not None and status not in UNSERVED_STATUSES


def _member(allocation_user_pk: int):
    from coldfront.core.allocation.models import AllocationUser

    member = AllocationUser.objects.select_related("user", "status").filter(pk=allocation_user_pk).first()
    if member is None:
        return None, None
    from . import bindings

    return member, bindings.for_allocation(member.allocation_id)


def member_added(allocation_user_pk: int, settings: conf.ECSSettings | None = None) -> ECSObjectUser | None:
    """``allocation_activate_user``: an object user for an Active member of a served allocation."""
    settings = settings or conf.load()
    member, binding = _member(allocation_user_pk)
    if not settings.s3_users or binding is None or member.status.name != "Active" or not should_serve(binding):
        return None
    with client_for_endpoint(binding.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        return create_on(client, binding, member.user)


def member_removed(allocation_user_pk: int, settings: conf.ECSSettings | None = None) -> bool:
    """``allocation_remove_user``: the member's keys deleted and object user deactivated (when there is one)."""
    member, binding = _member(allocation_user_pk)
    if binding is None:
        return False
    row = (
        ECSObjectUser.objects.filter(binding=binding, username=member.user.username)
        .exclude(state=ObjectUserState.REMOVED)
        .first()
    )
    if row is None:
        return False
    settings = settings or conf.load()
    with client_for_endpoint(binding.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        remove_on(client, row)
    return True
