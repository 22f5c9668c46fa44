"""Object users and their S3 secret keys."""

from __future__ import annotations

from typing import Any

from . import parse
from .errors import AmbiguousWrite, ECSBadRequest, ECSNotFound, ECSUnavailable
from .models import ObjectUser, SecretKeys
from .transport import Transport
from .util import already_exists, seg


def _unknown(what: str, exc: AmbiguousWrite) -> ECSUnavailable:
    """Key writes are never resent blindly: a second create would rotate the key again."""
    return ECSUnavailable(
        f"{what}: outcome unknown ({exc.message})", http_status=exc.http_status, method=exc.method, path=exc.path
    )


class UserOps(Transport):
    def _find_user(self, userid: str, namespace: str) -> ObjectUser | None:
        try:
            self._call("GET", f"/object/users/{seg(userid)}/info", params={"namespace": namespace})
        except ECSNotFound:
            return None
        return ObjectUser(userid=userid, namespace=namespace)

    def create_object_user(self, userid: str, namespace: str, tags: dict[str, str] | None = None) -> ObjectUser:
        """Create an object user (its id is the S3 access key id); ambiguity handled like ``create_namespace``."""
        seg(userid)
        body: dict[str, Any] = {"user": userid, "namespace": namespace}
        if tags:
            body["tags"] = [{"name": k, "value": v} for k, v in tags.items()]

        def send(deadline: float) -> ObjectUser:
            try:
                self._call("POST", "/object/users", body=body, idempotent=False, deadline=deadline)
            except ECSBadRequest as exc:
                if self._find_user(userid, namespace) is not None:
                    raise already_exists(f"object user {userid!r} already exists", exc) from None
                raise
            return ObjectUser(userid=userid, namespace=namespace)

        return self._reconciled(
            f"create object user {userid!r}", send, lambda: self._find_user(userid, namespace), self._deadline()
        )

    def list_object_users(self, namespace: str | None = None) -> list[ObjectUser]:
        """All object users (of one namespace when given), following NextMarker."""
        path = f"/object/users/{seg(namespace)}" if namespace else "/object/users"
        return [
            ObjectUser(u.userid, u.namespace or (namespace or ""))
            for u in self._pages(path, parse.parse_object_users, params={"limit": 100})
        ]

    def delete_object_user(self, userid: str, namespace: str) -> None:
        """Deactivate the user (ECS also deletes its keys); ECSNotFound if absent."""

        def send(deadline: float) -> bool:
            self._call(
                "POST",
                "/object/users/deactivate",
                body={"user": userid, "namespace": namespace},
                idempotent=False,
                deadline=deadline,
            )
            return True

        self._reconciled(
            f"delete object user {userid!r}",
            send,
            lambda: True if self._find_user(userid, namespace) is None else None,
            self._deadline(),
        )

    def create_secret_key(self, userid: str, namespace: str, *, expiry_minutes: int | None = None) -> str:
        """New secret key (ECS-generated).  Never retried after an ambiguous failure: ECSUnavailable instead.

        ``expiry_minutes`` sets when the user's *existing* key expires.
        """
        body: dict[str, Any] = {"namespace": namespace}
        if expiry_minutes is not None:
            body["existing_key_expiry_time_mins"] = str(int(expiry_minutes))
        try:
            response = self._call("POST", f"/object/user-secret-keys/{seg(userid)}", body=body, idempotent=False)
        except AmbiguousWrite as exc:
            raise _unknown(f"create secret key for {userid!r}", exc) from None
        return self._parsed(response, parse.parse_new_secret_key)

    def get_secret_keys(self, userid: str, namespace: str) -> SecretKeys:
        """The user's keys; on ObjectScale 4.x values are hidden (``SecretKeys.hidden``/``key_ids``)."""
        return self._get(f"/object/user-secret-keys/{seg(userid)}/{seg(namespace)}", parse.parse_secret_keys, userid)

    def delete_secret_key(
        self, userid: str, namespace: str, secret_key: str | None = None, *, secret_key_id: str | None = None
    ) -> None:
        """Delete one key (by value, or by id on ObjectScale 4.x), or all keys when neither is given.

        Not retried when ambiguous.
        """
        body: dict[str, Any] = {"namespace": namespace}
        if secret_key:
            body["secret_key"] = secret_key
        if secret_key_id:
            body["secret_key_id"] = secret_key_id
        try:
            self._call("POST", f"/object/user-secret-keys/{seg(userid)}/deactivate", body=body, idempotent=False)
        except AmbiguousWrite as exc:
            raise _unknown(f"delete secret key of {userid!r}", exc) from None
