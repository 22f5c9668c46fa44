"""Namespace operations: list, read, create, delete, quota."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import parse
from .errors import ECSBadRequest, ECSNotFound
from .models import Namespace, Quota
from .transport import Transport
from .util import already_exists, check_gb, seg


class NamespaceOps(Transport):
    def list_namespaces(self, *, page_size: int = 100) -> Iterator[Namespace]:
        """Every namespace, following NextMarker (each page is one call with its own deadline)."""
        yield from self._pages("/object/namespaces", parse.parse_namespace_list, params={"limit": page_size})

    def get_namespace(self, name: str) -> Namespace:
        """Raises ECSNotFound when ECS says it does not exist; any other error is raised as is."""
        return self._get(f"/object/namespaces/namespace/{seg(name)}", parse.parse_namespace)

    def namespace_exists(self, name: str) -> bool:
        """True/False only on a definite answer; errors other than not-found propagate."""
        return self._find_namespace(name) is not None

    def _find_namespace(self, name: str) -> Namespace | None:
        try:
            return self.get_namespace(name)
        except ECSNotFound:
            return None

    def create_namespace(
        self, name: str, *, replication_group_id: str | None = None, user_mapping: list[dict[str, Any]] | None = None
    ) -> Namespace:
        """Create a namespace; ECSAlreadyExists if it exists.

        No pre-check GET.  On an ambiguous failure (timeout, dropped connection, 5xx) the client
        GETs the namespace: if it exists it is returned as created (ECS shows the write took
        effect; the caller cannot tell it from a concurrent creator, as with any create), if not
        the POST is retried within the bound.  If ECS cannot be asked, ECSUnavailable is raised
        and the caller must reconcile later.  A refused create (400) for a namespace that exists
        is reported as ECSAlreadyExists whatever ECS's code.  ``user_mapping`` entries are
        ``{"domain", "groups": [...], "attributes": [...]}`` (attributes default to []).
        """
        seg(name)
        mapping = [
            {
                "domain": m.get("domain"),
                "groups": list(m.get("groups") or []),
                "attributes": list(m.get("attributes") or []),
            }
            for m in (user_mapping or [])
        ]
        body = {"namespace": name, "default_data_services_vpool": replication_group_id, "user_mapping": mapping}

        def send(deadline: float) -> Namespace:
            try:
                response = self._call(
                    "POST", "/object/namespaces/namespace", body=body, idempotent=False, deadline=deadline
                )
            except ECSBadRequest as exc:
                if self._find_namespace(name) is not None:
                    raise already_exists(f"namespace {name!r} already exists", exc) from None
                raise
            if not response.content.strip():
                return Namespace(name=name, default_replication_group=replication_group_id, user_mapping=tuple(mapping))
            return self._parsed(response, parse.parse_namespace)

        return self._reconciled(
            f"create namespace {name!r}", send, lambda: self._find_namespace(name), self._deadline()
        )

    def delete_namespace(self, name: str) -> None:
        """Deactivate (delete) a namespace; ECSNotFound if absent.  Ambiguous failures are checked with a GET."""
        path = f"/object/namespaces/namespace/{seg(name)}/deactivate"

        def send(deadline: float) -> bool:
            self._call("POST", path, body={}, idempotent=False, deadline=deadline)
            return True

        self._reconciled(
            f"delete namespace {name!r}",
            send,
            lambda: True if self._find_namespace(name) is None else None,
            self._deadline(),
        )

    def get_namespace_quota(self, name: str) -> Quota:
        return self._get(f"/object/namespaces/namespace/{seg(name)}/quota", parse.parse_quota)

    def set_namespace_quota(self, name: str, block_size_gb: int, notification_size_gb: int) -> None:
        """PUT the quota (idempotent, so retried like a read)."""
        body = {
            "blockSize": check_gb(block_size_gb, "block_size_gb"),
            "notificationSize": check_gb(notification_size_gb, "notification_size_gb"),
        }
        self._call("PUT", f"/object/namespaces/namespace/{seg(name)}/quota", body=body)

    def delete_namespace_quota(self, name: str) -> None:
        self._call("DELETE", f"/object/namespaces/namespace/{seg(name)}/quota")
