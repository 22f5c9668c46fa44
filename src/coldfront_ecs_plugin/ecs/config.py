"""Validation of the client's settings, done once at construction so a bad setting fails early.

Kept apart from the transport so that what the client accepts is readable in one place; nothing
here touches the network, and no message ever carries the password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ECSConfigurationError

SUPPORTED_API_VERSIONS = ("2", "3", "4")


@dataclass(frozen=True)
class Settings:
    """Everything but the credentials, validated and normalised."""

    base_url: str
    verify: bool | str
    timeout: float
    api_version: str
    retries: int
    backoff: float
    pool_size: int
    tls_fingerprint: str | None


def check_base_url(base_url: str) -> str:
    """``https://host[:port]`` without trailing slash, credentials, query or fragment."""
    if not isinstance(base_url, str) or not base_url.strip():
        raise ECSConfigurationError("ECS base URL is empty")
    url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ECSConfigurationError(f"ECS base URL {url!r} is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ECSConfigurationError(
            f"ECS base URL {url!r} must look like https://ecs.example.org:4443 (scheme and host required)"
        )
    if parts.username or parts.password:
        raise ECSConfigurationError("ECS base URL must not embed credentials")
    if parts.query or parts.fragment:
        raise ECSConfigurationError(f"ECS base URL {parts.scheme}://{parts.hostname} must not have a query")
    if port == 0:
        raise ECSConfigurationError(f"ECS base URL {url!r} has port 0")
    return url


def check_credentials(username: str, password: str) -> None:
    if not isinstance(username, str) or not username.strip():
        raise ECSConfigurationError("ECS username is empty")
    if not isinstance(password, str) or not password:
        raise ECSConfigurationError("ECS password is empty")


def check_api_version(api_version: str) -> str:
    version = str(api_version).strip().lstrip("v")
    if version not in SUPPORTED_API_VERSIONS:
        raise ECSConfigurationError(
            f"unsupported ECS api_version {version!r}; expected one of {', '.join(SUPPORTED_API_VERSIONS)}"
        )
    return version


def check_fingerprint(fingerprint: str | None, base_url: str) -> str | None:
    """SHA-256 of the server certificate as 64 hex digits (colons and case are ignored)."""
    if fingerprint is None:
        return None
    value = fingerprint.replace(":", "").strip().lower() if isinstance(fingerprint, str) else ""
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ECSConfigurationError(
            "tls_fingerprint must be the SHA-256 of the server certificate: 64 hex digits, colons allowed"
        )
    if not base_url.startswith("https://"):
        raise ECSConfigurationError("tls_fingerprint needs an https:// ECS base URL")
    return value


def _check_numbers(timeout: float, retries: int, backoff: float, pool_size: int) -> None:
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ECSConfigurationError("timeout must be a positive number of seconds")
    if not (isinstance(retries, int) and retries >= 0):
        raise ECSConfigurationError("retries must be an integer >= 0")
    if not (isinstance(backoff, (int, float)) and backoff >= 0):
        raise ECSConfigurationError("backoff must be >= 0")
    if not (isinstance(pool_size, int) and pool_size >= 1):
        raise ECSConfigurationError("pool_size must be an integer >= 1")


def _check_verify(verify: bool | str) -> None:
    if isinstance(verify, str):
        if not verify:
            raise ECSConfigurationError("verify must be True, False or a CA bundle path, not ''")
    elif not isinstance(verify, bool):
        raise ECSConfigurationError("verify must be True, False or a CA bundle path")


def make_settings(
    base_url: str,
    *,
    verify: bool | str,
    timeout: float,
    api_version: str,
    retries: int,
    backoff: float,
    pool_size: int,
    tls_fingerprint: str | None,
) -> Settings:
    url = check_base_url(base_url)
    version = check_api_version(api_version)
    _check_verify(verify)
    _check_numbers(timeout, retries, backoff, pool_size)
    return Settings(
        base_url=url,
        verify=verify,
        timeout=float(timeout),
        api_version=version,
        retries=retries,
        backoff=float(backoff),
        pool_size=pool_size,
        tls_fingerprint=check_fingerprint(tls_fingerprint, url),
    )
