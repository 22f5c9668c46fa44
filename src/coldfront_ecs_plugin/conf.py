"""The plugin's settings: read from Django settings, falling back to the environment.

ColdFront reads its own settings with django-environ from the environment and ``.env``
files; ours follow the same route, so either a ``local_settings.py`` line or an exported
variable works.  ``problems()`` feeds the Django system checks.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings

DEFAULTS: dict[str, Any] = {
    "ECS_USER": "",
    "ECS_PASS": "",
    "ECS_CLIENT_VERSION": "3",
    "ECS_REQUEST_TIMEOUT": 30.0,
    "ECS_VERIFY_SSL": True,
    "ECS_RESOURCE_NAME_CONTAINS": "ecs",
    "ECS_TB_PER_QUANTITY": 1.0,
    "ECS_QUOTA_NOTIFICATION_PERCENT": 90.0,
    "ECS_SYNC_CONCURRENCY": 4,
    "ECS_ALLOW_HTTP": False,
    "ECS_LDAP_GROUP_SOURCE": "project_title",
    "ECS_SYNC_SCHEDULE_MINUTES": 60,
    "ECS_RESOURCE_TYPES": ("Storage",),
    "ECS_PROVISION_DEADLINE": 25.0,
    "ECS_PROVISION_ASYNC": False,
    "ECS_ON_EXPIRE": "none",
    "ECS_ON_REVOKE": "none",
    "ECS_LIFECYCLE_GRACE_DAYS": 0,
    "ECS_S3_USERS": False,
    "ECS_KEY_ROTATION_MINUTES": 60,
    "ECS_USAGE_ALERT_PERCENTS": (),
    "ECS_USAGE_ALERT_ADMIN_DIGEST": False,
    "ECS_BREAKER_FAILURES": 3,
    "ECS_TLS_FINGERPRINT": "",
}

#: what a status change does to the allocation's storage (issue 11)
LIFECYCLE_ACTIONS = ("none", "freeze", "lock")

LDAP_GROUP_SOURCES = ("project_title", "pi_username", "none")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A plugin setting is missing or invalid."""


@dataclass(frozen=True)
class ECSSettings:
    user: str
    password: str = field(repr=False)
    client_version: str = "3"
    request_timeout: float = 30.0
    verify_ssl: bool | str = True
    resource_name_contains: str = "ecs"
    tb_per_quantity: float = 1.0
    quota_notification_percent: float = 90.0
    sync_concurrency: int = 4
    allow_http: bool = False
    ldap_group_source: str = "project_title"
    sync_schedule_minutes: int = 60
    resource_types: tuple[str, ...] = ("Storage",)
    provision_deadline: float = 25.0
    provision_async: bool = False
    on_expire: str = "none"
    on_revoke: str = "none"
    lifecycle_grace_days: int = 0
    s3_users: bool = False
    key_rotation_minutes: int = 60
    usage_alert_percents: tuple[int, ...] = ()
    usage_alert_admin_digest: bool = False
    breaker_failures: int = 3
    #: SHA-256 of the ECS management certificate(s): "" (none), or host[:port] -> fingerprint ("*" for any)
    tls_fingerprints: dict[str, str] = field(default_factory=dict)

    def tls_fingerprint_for(self, base_url: str) -> str | None:
        """The pinned fingerprint for this https endpoint (by host:port, then host, then "*"), else None."""
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        if parts.scheme != "https" or not self.tls_fingerprints:
            return None
        host = parts.hostname or ""
        for key in (f"{host}:{parts.port or 4443}", host, "*"):
            if key in self.tls_fingerprints:
                return self.tls_fingerprints[key]
        return None


def _raw(name: str) -> Any:
    if hasattr(django_settings, name):
        return getattr(django_settings, name)
    try:  # ColdFront's django-environ instance also sees its .env files
        from coldfront.config.env import ENV

        value = ENV.str(name, default=None)
    except Exception:  # pragma: no cover - ColdFront always ships env.py
        value = os.environ.get(name)
    return DEFAULTS[name] if value is None else value


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name} must be True or False, got {value!r}")


def _number(name: str, value: Any, kind: type, low: float, high: float | None = None) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, got {value!r}") from None
    if number != number or number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SettingsError(f"{name} must be {bound}, got {value!r}")
    return number


def _verify(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE - {""}:
        return False
    if not text:
        return True
    if not os.path.isfile(text):
        raise SettingsError(f"ECS_VERIFY_SSL is neither True/False nor a readable CA bundle file: {text!r}")
    return text


def _percents(raw: Any) -> tuple[int, ...]:
    """ECS_USAGE_ALERT_PERCENTS: whole percentages 1..1000, sorted, no repeats; empty turns alerts off."""
    items = str(raw).strip("[]() ").split(",") if isinstance(raw, str) else raw
    try:
        values = sorted({int(str(item).strip()) for item in items if str(item).strip()})
    except (TypeError, ValueError):
        raise SettingsError(
            f"ECS_USAGE_ALERT_PERCENTS must be a list of whole percentages such as [80, 95, 100], got {raw!r}"
        ) from None
    if any(v < 1 or v > 1000 for v in values):
        raise SettingsError(f"ECS_USAGE_ALERT_PERCENTS must hold percentages between 1 and 1000, got {raw!r}")
    return tuple(values)


def _fingerprint(value: Any) -> str:
    text = str(value).replace(":", "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise SettingsError(
            "ECS_TLS_FINGERPRINT must be the SHA-256 of the ECS certificate (64 hex digits, colons "
            f"allowed), or a dict of host[:port] -> such a fingerprint; got {value!r}"
        )
    return text


def _fingerprints(value: Any) -> dict[str, str]:
    """One fingerprint for every endpoint, or one per host[:port] (several ECS clusters, one site)."""
    if isinstance(value, dict):
        return {str(host).strip().lower(): _fingerprint(fp) for host, fp in value.items()}
    text = str(value or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise SettingsError(f"ECS_TLS_FINGERPRINT is not valid JSON: {text!r}") from None
        return _fingerprints(parsed)
    return {"*": _fingerprint(text)}


def _version() -> str:
    text = str(_raw("ECS_CLIENT_VERSION")).strip()
    if text not in ("2", "3", "4"):
        raise SettingsError(f"ECS_CLIENT_VERSION must be '2', '3' or '4', got {text!r}")
    return text


def _ldap_source() -> str:
    text = str(_raw("ECS_LDAP_GROUP_SOURCE")).strip()
    if text not in LDAP_GROUP_SOURCES:
        raise SettingsError(f"ECS_LDAP_GROUP_SOURCE must be one of {', '.join(LDAP_GROUP_SOURCES)}, got {text!r}")
    return text


def _contains() -> str:
    text = str(_raw("ECS_RESOURCE_NAME_CONTAINS")).strip()
    if not text:
        raise SettingsError("ECS_RESOURCE_NAME_CONTAINS must not be empty")
    return text


def _resource_types() -> tuple[str, ...]:
    raw = _raw("ECS_RESOURCE_TYPES")
    items = raw.split(",") if isinstance(raw, str) else raw
    try:
        names = tuple(str(item).strip() for item in items if str(item).strip())
    except TypeError:
        raise SettingsError(f"ECS_RESOURCE_TYPES must be a list of resource type names, got {raw!r}") from None
    if not names:
        raise SettingsError("ECS_RESOURCE_TYPES must name at least one resource type (e.g. ['Storage'])")
    return names


def _action(name: str) -> Callable[[], str]:
    def parse() -> str:
        text = str(_raw(name)).strip().lower()
        if text not in LIFECYCLE_ACTIONS:
            raise SettingsError(f"{name} must be one of {', '.join(LIFECYCLE_ACTIONS)}, got {text!r}")
        return text

    return parse


def _num(name: str, kind: type, low: float, high: float) -> Callable[[], Any]:
    return lambda: _number(name, _raw(name), kind, low, high)


def _flag(name: str) -> Callable[[], bool]:
    return lambda: _bool(name, _raw(name))


#: ECSSettings field -> how to read and check it (each problem becomes one message)
_PARSERS: tuple[tuple[str, Callable[[], Any]], ...] = (
    ("client_version", _version),
    ("request_timeout", _num("ECS_REQUEST_TIMEOUT", float, 0.01, 3600)),
    ("verify_ssl", lambda: _verify(_raw("ECS_VERIFY_SSL"))),
    ("allow_http", _flag("ECS_ALLOW_HTTP")),
    ("resource_types", _resource_types),
    ("resource_name_contains", _contains),
    ("tb_per_quantity", _num("ECS_TB_PER_QUANTITY", float, 1e-6, 1e6)),
    ("quota_notification_percent", _num("ECS_QUOTA_NOTIFICATION_PERCENT", float, 1, 100)),
    ("ldap_group_source", _ldap_source),
    ("provision_deadline", _num("ECS_PROVISION_DEADLINE", float, 1, 3600)),
    ("provision_async", _flag("ECS_PROVISION_ASYNC")),
    ("sync_concurrency", _num("ECS_SYNC_CONCURRENCY", int, 1, 32)),
    ("sync_schedule_minutes", _num("ECS_SYNC_SCHEDULE_MINUTES", int, 1, 10080)),
    ("breaker_failures", _num("ECS_BREAKER_FAILURES", int, 1, 1000)),
    ("tls_fingerprints", lambda: _fingerprints(_raw("ECS_TLS_FINGERPRINT"))),
    ("on_expire", _action("ECS_ON_EXPIRE")),
    ("on_revoke", _action("ECS_ON_REVOKE")),
    ("lifecycle_grace_days", _num("ECS_LIFECYCLE_GRACE_DAYS", int, 0, 3650)),
    ("s3_users", _flag("ECS_S3_USERS")),
    ("key_rotation_minutes", _num("ECS_KEY_ROTATION_MINUTES", int, 1, 43200)),
    ("usage_alert_percents", lambda: _percents(_raw("ECS_USAGE_ALERT_PERCENTS"))),
    ("usage_alert_admin_digest", _flag("ECS_USAGE_ALERT_ADMIN_DIGEST")),
)


def _collect(require_credentials: bool) -> tuple[dict[str, Any], list[str]]:
    """Validate every setting; return the parsed values and one message per problem."""
    values: dict[str, Any] = {"user": str(_raw("ECS_USER") or ""), "password": str(_raw("ECS_PASS") or "")}
    errors: list[str] = []
    if require_credentials:
        errors.extend(
            f"{name} is not set" for name, key in (("ECS_USER", "user"), ("ECS_PASS", "password")) if not values[key]
        )
    for key, parse in _PARSERS:
        try:
            values[key] = parse()
        except SettingsError as exc:
            errors.append(str(exc))
    return values, errors


def load(*, require_credentials: bool = True) -> ECSSettings:
    """Read and validate every setting; SettingsError lists every bad one."""
    values, errors = _collect(require_credentials)
    if errors:
        raise SettingsError("; ".join(errors))
    return ECSSettings(**values)


def problems() -> list[str]:
    """Every settings problem, one message each (for ``manage.py check``)."""
    return _collect(require_credentials=True)[1]
