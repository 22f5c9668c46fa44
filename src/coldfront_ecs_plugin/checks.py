"""Django system checks (``manage.py check``): settings, ECS resources' ``url``, attribute types."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError

from . import attributes, conf
from .endpoints import EndpointError, parse_endpoint

SETTINGS_ERROR = "coldfront_ecs_plugin.E001"
CREDENTIALS_WARNING = "coldfront_ecs_plugin.W003"
URL_WARNING = "coldfront_ecs_plugin.W001"
TYPES_WARNING = "coldfront_ecs_plugin.W002"


def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An Error per invalid ECS_* setting; a Warning per missing credential.

    Missing credentials are a Warning so that ``migrate`` and ``runserver`` still work while a
    site is being set up; provisioning then fails with a clear admin note until they are set.
    """
    hint = "Set it in local_settings.py or the environment (see the README)"
    return [
        checks.Warning(problem, hint=hint, id=CREDENTIALS_WARNING)
        if problem.endswith(" is not set")
        else checks.Error(problem, hint=hint, id=SETTINGS_ERROR)
        for problem in conf.problems()
    ]


def _allow_http() -> bool:
    try:
        return conf.load(require_credentials=False).allow_http
    except conf.SettingsError:
        return False


def check_resources(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A Warning for each ECS resource whose ``url`` attribute is missing or unusable."""
    from .services import records

    found: list[checks.CheckMessage] = []
    try:
        resources = list(records.ecs_resources())
        for resource in resources:
            try:
                parse_endpoint(records.resource_value(resource, attributes.URL), allow_http=_allow_http())
            except EndpointError as exc:
                found.append(
                    checks.Warning(
                        f"ECS resource {resource.name!r}: {exc}",
                        hint=f"Set the resource attribute {attributes.URL!r} to host, host:port or https://host:port",
                        obj=resource,
                        id=URL_WARNING,
                    )
                )
    except DatabaseError:  # tables not migrated yet: nothing to check
        return []
    return found


def check_attribute_types(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A Warning naming the plugin's attribute types that do not exist yet."""
    from .services import records

    try:
        missing = records.missing_resource_types() + records.missing_allocation_types()
    except DatabaseError:
        return []
    if not missing:
        return []
    return [
        checks.Warning(
            f"ECS attribute types missing: {', '.join(missing)}", hint="run manage.py ecs_setup", id=TYPES_WARNING
        )
    ]


def register() -> None:
    for check in (check_settings, check_resources, check_attribute_types):
        checks.register(check, "coldfront_ecs_plugin")
