"""Argument checks shared by the operation groups, run before anything is sent."""

from __future__ import annotations

from urllib.parse import quote

from .errors import ECSAlreadyExists, ECSBadRequest


def seg(value: str) -> str:
    """One URL path segment; ECS URNs keep their colons raw (``urn:storageos:...``)."""
    if not isinstance(value, str) or not value:
        raise ECSBadRequest(f"invalid identifier {value!r}: must be a non-empty string")
    return quote(value, safe=":@-._~")


def check_gb(value: int, name: str) -> int:
    """A quota size in GB: an integer >= 1, or -1 for unlimited."""
    if isinstance(value, bool) or not isinstance(value, int) or (value < 1 and value != -1):
        raise ECSBadRequest(f"{name} must be an integer >= 1 or -1 (unlimited), got {value!r}")
    return value


def already_exists(message: str, exc: ECSBadRequest) -> ECSAlreadyExists:
    """A refused create for an entity that exists, keeping ECS's own code and text."""
    return ECSAlreadyExists(
        message,
        http_status=exc.http_status,
        code=exc.code,
        description=exc.description,
        details=exc.details,
        method=exc.method,
        path=exc.path,
    )
