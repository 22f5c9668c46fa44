"""Turn a resource's ``url`` attribute into the base URL of an ECS management endpoint.

Accepted: ``host``, ``host:port``, ``https://host`` and ``https://host:port`` (port 4443
when absent).  Refused with a clear message: other schemes, paths, queries, and URLs that
carry credentials (they would end up in logs).  ``http://`` only when explicitly allowed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .attributes import URL

DEFAULT_PORT = 4443


class EndpointError(ValueError):
    """The ``url`` attribute cannot be used as an ECS endpoint."""


def parse_endpoint(value: str | None, *, allow_http: bool = False) -> str:
    """Return ``scheme://host:port`` for a ``url`` attribute value, or raise EndpointError."""
    raw = (value or "").strip()
    if not raw:
        raise EndpointError(
            f"the ECS resource has no {URL!r} attribute (expected host, host:port or https://host:port)"
        )
    candidate = raw if "://" in raw else f"https://{raw}"
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise EndpointError(f"url {_redact(raw)!r} is not a valid host or URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise EndpointError(f"url {_redact(raw)!r}: scheme {scheme!r} is not supported; use https://host:port")
    if scheme == "http" and not allow_http:
        raise EndpointError(
            f"url {_redact(raw)!r} uses plain http; ECS credentials would travel unencrypted. "
            "Use https, or set ECS_ALLOW_HTTP = True for a lab"
        )
    if parts.username is not None or parts.password is not None:
        raise EndpointError("url must not contain credentials; set ECS_USER and ECS_PASS instead")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise EndpointError(
            f"url {_redact(raw)!r} must not have a path or query; use host, host:port or https://host:port"
        )
    host = parts.hostname
    if not host:
        raise EndpointError(f"url {_redact(raw)!r} has no host name")
    if port is None:
        port = DEFAULT_PORT
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def _redact(raw: str) -> str:
    """Hide a password typed into a URL before it reaches a message."""
    if "@" not in raw:
        return raw
    scheme, sep, rest = raw.partition("://")
    if not sep:
        rest, scheme = raw, ""
    _userinfo, _, hostpart = rest.rpartition("@")
    return (f"{scheme}://" if sep else "") + "***@" + hostpart
