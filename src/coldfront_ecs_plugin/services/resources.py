"""Which ColdFront resources are ECS resources, and which one an allocation uses.

An ECS resource has a resource type from ``ECS_RESOURCE_TYPES`` (default ``["Storage"]``) AND a
name containing ``ECS_RESOURCE_NAME_CONTAINS``: a compute cluster named "RecSys GPU Cluster" is
never touched. A bound allocation follows its binding's resource, so renaming a resource
changes nothing for allocations already provisioned.
"""

from __future__ import annotations

from .. import conf


def _filters(settings: conf.ECSSettings | None = None) -> tuple[tuple[str, ...], str]:
    if settings is None:
        try:
            settings = conf.load(require_credentials=False)
        except conf.SettingsError:
            settings = conf.ECSSettings(user="", password="")  # defaults; manage.py check names the problem
    return settings.resource_types, settings.resource_name_contains.lower()


def is_ecs_resource(resource, settings: conf.ECSSettings | None = None) -> bool:
    if resource is None:
        return False
    types, contains = _filters(settings)
    type_name = getattr(getattr(resource, "resource_type", None), "name", None)
    return type_name in types and contains in (resource.name or "").lower()


def ecs_resources(settings: conf.ECSSettings | None = None):
    """Every ECS resource, by name."""
    from coldfront.core.resource.models import Resource

    types, contains = _filters(settings)
    return Resource.objects.filter(resource_type__name__in=types, name__icontains=contains).order_by("name")


def resource_for(allocation, settings: conf.ECSSettings | None = None):
    """The ECS resource this allocation uses: its binding's, else the parent resource if it is an
    ECS resource, else the first ECS resource attached (by id); None when there is none."""
    from ..models import ECSBinding

    binding = ECSBinding.objects.filter(allocation_id=allocation.pk).select_related("resource__resource_type").first()
    if binding is not None and binding.resource is not None and binding.state != "unlinked":
        return binding.resource
    parent = allocation.get_parent_resource
    if is_ecs_resource(parent, settings):
        return parent
    for resource in allocation.resources.select_related("resource_type").order_by("pk"):
        if is_ecs_resource(resource, settings):
            return resource
    return None
