"""A member's own S3 secret keys: list, create, rotate, delete (the ``/ecs/s3/`` page).

Why a service of its own: the page must never hold a secret longer than the response that shows
it. Nothing here stores, logs or returns a key except ``create``/``rotate``, whose caller renders
it once. Keys are listed by slot (times and a fingerprint, never the value), so the same code
serves ECS 3.x (readable keys) and ObjectScale 4.x (hidden keys, deleted by id).

Who may act: only the member the object user was made for (``ECSObjectUser.user``); a PI or a
staff member acting on someone else's row gets the same 404 as a row that does not exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .. import attributes, conf, logs
from ..connections import client_for_endpoint
from ..ecs import ECSError, KeySlot, SecretKeys
from ..models import ECSObjectUser, ObjectUserState
from .cluster import time_bound
from .s3_users import SERVED_STATES

logger = logs.get_logger(__name__)

#: what the page lists for staff at most (each row is one ECS call)
HOLDERS_LIMIT = 200


class OneTimeSecret:
    """A new key on its way to the page: ``str()`` gives it to the template, ``repr()`` hides it.

    Why: Django's template engine logs the whole context at DEBUG when a variable is missing, with
    ``repr`` of every value; a plain string there would put the key in the site's log.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __str__(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret key, not shown>"

    def __reduce__(self):
        raise TypeError("a secret key is never pickled (sessions, caches)")


class KeyRequestError(Exception):
    """A request the page refuses, with the HTTP status and a message for the member."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class KeyView:
    """One key as the page shows it: times and fingerprint, never the value."""

    number: int
    created: datetime | None
    expires: datetime | None
    fingerprint: str


@dataclass
class Access:
    """One object user of the member: where and how to reach the bucket, and the keys it has."""

    row: ECSObjectUser
    allocation_id: int
    project: str
    resource: str
    endpoint: str
    bucket: str
    namespace: str
    access_key_id: str
    keys: list[KeyView] = field(default_factory=list)
    error: str = ""

    @property
    def rotating(self) -> bool:
        return len(self.keys) >= 2


def ecs_time(text: str) -> datetime | None:
    """ECS's key timestamps (``2015-12-14 05:13:32.616``, UTC) as aware datetimes; None if unreadable."""
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _key_view(slot: KeySlot) -> KeyView:
    return KeyView(slot.number, ecs_time(slot.created), ecs_time(slot.expires), slot.fingerprint)


def s3_endpoint(resource) -> str:
    """The resource's ``s3_endpoint`` attribute (what members point their S3 tools at); empty if unset."""
    if resource is None:
        return ""
    value = (
        resource.resourceattribute_set.filter(resource_attribute_type__name=attributes.S3_ENDPOINT)
        .values_list("value", flat=True)
        .first()
    )
    return (value or "").strip()


def served_rows(user=None):
    """Active object users of served bindings; of ``user`` only when given."""
    rows = ECSObjectUser.objects.filter(state=ObjectUserState.ACTIVE, binding__state__in=SERVED_STATES)
    if user is not None:
        rows = rows.filter(user=user)
    return rows.select_related("binding__resource", "binding__allocation__project").order_by(
        "binding__allocation_id", "username"
    )


def _access(row: ECSObjectUser) -> Access:
    binding = row.binding
    allocation = binding.allocation
    return Access(
        row=row,
        allocation_id=binding.allocation_id or 0,
        project=allocation.project.title if allocation is not None else "",
        resource=binding.resource.name if binding.resource is not None else "",
        endpoint=s3_endpoint(binding.resource),
        bucket=binding.bucket,
        namespace=row.namespace,
        access_key_id=row.userid,
    )


def list_access(user, settings: conf.ECSSettings | None = None) -> list[Access]:
    """Every object user of ``user`` with its keys read from ECS (one client per endpoint)."""
    return _with_keys([_access(row) for row in served_rows(user)], settings)


def holders(settings: conf.ECSSettings | None = None) -> list[Access]:
    """For staff: every member's object user and how many keys it has (never a key)."""
    return _with_keys([_access(row) for row in served_rows()[:HOLDERS_LIMIT]], settings)


def _with_keys(items: list[Access], settings: conf.ECSSettings | None) -> list[Access]:
    settings = settings or conf.load()
    by_endpoint: dict[str, list[Access]] = {}
    for item in items:
        by_endpoint.setdefault(item.row.binding.endpoint, []).append(item)
    for endpoint, group in by_endpoint.items():
        try:
            with client_for_endpoint(endpoint, settings) as client, time_bound(client, settings.provision_deadline):
                for item in group:
                    _read_keys(client, item)
        except ECSError as exc:
            for item in group:
                item.error = item.error or f"ECS could not be reached: {exc}"
    return items


def _read_keys(client, item: Access) -> None:
    try:
        keys = client.get_secret_keys(item.access_key_id, item.namespace)
    except ECSError as exc:
        item.error = f"ECS could not list the keys: {exc}"
        return
    item.keys = [_key_view(slot) for slot in keys.slots]


def own_row(user, pk: object) -> ECSObjectUser:
    """The member's own served object user ``pk``; 404 for anything else (someone else's included)."""
    try:
        number = int(str(pk))
    except (TypeError, ValueError):
        raise KeyRequestError("Choose one of your S3 users (the form sent no valid id).") from None
    row = served_rows(user).filter(pk=number).first()
    if row is None:
        raise KeyRequestError("You have no S3 user with this id (it may have been removed).", 404)
    return row


def _keys(client, row: ECSObjectUser) -> SecretKeys:
    return client.get_secret_keys(row.userid, row.namespace)


def _run(row: ECSObjectUser, settings: conf.ECSSettings | None, action):
    settings = settings or conf.load()
    try:
        with (
            client_for_endpoint(row.binding.endpoint, settings) as client,
            time_bound(client, settings.provision_deadline),
        ):
            return action(client, settings)
    except ECSError as exc:
        # the message names the call, never a key (the client's errors carry no request body)
        raise KeyRequestError(
            f"ECS refused or could not be reached; nothing was changed that you can "
            f"rely on, try again later ({type(exc).__name__}).",
            502,
        ) from exc


def create(row: ECSObjectUser, settings: conf.ECSSettings | None = None) -> OneTimeSecret:
    """A first key for a user that has none (with keys, ``rotate`` is the way): returned once, never kept."""

    def action(client, _settings) -> OneTimeSecret:
        if _keys(client, row).count:
            raise KeyRequestError("You already have a key: rotate it for a new one, or delete it first.", 409)
        secret = OneTimeSecret(client.create_secret_key(row.userid, row.namespace))
        logger.info("secret key created for object user %s (member %s)", row.userid, row.username)
        return secret

    return _run(row, settings, action)


def rotate(row: ECSObjectUser, settings: conf.ECSSettings | None = None) -> OneTimeSecret:
    """A new key; ECS expires the old one after ``ECS_KEY_ROTATION_MINUTES`` (its own two-key rotation)."""

    def action(client, settings_: conf.ECSSettings) -> OneTimeSecret:
        count = _keys(client, row).count
        if count == 0:
            raise KeyRequestError("You have no key to rotate: create one.", 409)
        if count >= 2:
            raise KeyRequestError(
                "A rotation is already under way: wait until the old key expires, or delete it, then rotate again.", 409
            )
        secret = OneTimeSecret(
            client.create_secret_key(row.userid, row.namespace, expiry_minutes=settings_.key_rotation_minutes)
        )
        logger.info(
            "secret key rotated for object user %s (member %s); the old key expires in %s minutes",
            row.userid,
            row.username,
            settings_.key_rotation_minutes,
        )
        return secret

    return _run(row, settings, action)


def delete(row: ECSObjectUser, fingerprint: str | None, settings: conf.ECSSettings | None = None) -> None:
    """One key (by the fingerprint the page showed) or, without one, every key of the user."""

    def action(client, _settings) -> None:
        if not fingerprint:
            client.delete_secret_key(row.userid, row.namespace)
            logger.info("every secret key of object user %s deleted (member %s)", row.userid, row.username)
            return
        keys = _keys(client, row)
        slot = next((s for s in keys.slots if s.fingerprint and s.fingerprint == fingerprint), None)
        if slot is None:
            raise KeyRequestError("This key no longer exists (it may have expired or been deleted).", 404)
        if fingerprint in keys.key_ids:
            client.delete_secret_key(row.userid, row.namespace, secret_key_id=fingerprint)
        else:
            value = next(k for k in keys.keys if hashlib.sha256(k.encode()).hexdigest() == fingerprint)
            client.delete_secret_key(row.userid, row.namespace, value)
        logger.info("secret key %s of object user %s deleted (member %s)", slot.number, row.userid, row.username)

    _run(row, settings, action)
