"""Reads and writes of the plugin's allocation and resource attributes in ColdFront's DB.

One place for "get or update, never duplicate" so provisioning, quota changes and sync
store values the same way, and only write (and add a history row) when a value changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import attributes
from ..units import same_number


class MissingAttributeTypes(LookupError):
    """The plugin's attribute types are not in the database (``manage.py ecs_setup`` not run)."""


def _allocation_models():
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeType

    return AllocationAttribute, AllocationAttributeType


def missing_allocation_types(names: Iterable[str] | None = None) -> list[str]:
    """Names among ``names`` (default: all the plugin's) with no AllocationAttributeType."""
    _attr, attr_type = _allocation_models()
    wanted = list(names or (spec.name for spec in attributes.ALLOCATION_ATTRIBUTES))
    present = set(attr_type.objects.filter(name__in=wanted).values_list("name", flat=True))
    return [name for name in wanted if name not in present]


def missing_resource_types(names: Iterable[str] | None = None) -> list[str]:
    from coldfront.core.resource.models import ResourceAttributeType

    wanted = list(names or (spec.name for spec in attributes.RESOURCE_ATTRIBUTES))
    present = set(ResourceAttributeType.objects.filter(name__in=wanted).values_list("name", flat=True))
    return [name for name in wanted if name not in present]


def require_allocation_types(names: Iterable[str]) -> None:
    """Raise MissingAttributeTypes naming every absent type, before anything else happens."""
    missing = missing_allocation_types(names)
    if missing:
        raise MissingAttributeTypes(
            f"allocation attribute type(s) {', '.join(missing)} do not exist; run 'manage.py ecs_setup'"
        )


def get_value(allocation, name: str) -> str | None:
    """Raw (untyped) value of the allocation's first attribute of this type, or None."""
    attr_model, _type = _allocation_models()
    row = (
        attr_model.objects.filter(allocation=allocation, allocation_attribute_type__name=name)
        .order_by("pk")
        .values_list("value", flat=True)
        .first()
    )
    return row


def set_value(allocation, name: str, value: str) -> bool:
    """Get-or-update the allocation's attribute; removes duplicates; True when it wrote."""
    attr_model, type_model = _allocation_models()
    rows = list(attr_model.objects.filter(allocation=allocation, allocation_attribute_type__name=name).order_by("pk"))
    for extra in rows[1:]:
        extra.delete()
    if rows:
        row = rows[0]
        if row.value == value:
            return bool(rows[1:])
        row.value = value
        row.save()
        return True
    attr_type = type_model.objects.filter(name=name).order_by("pk").first()
    if attr_type is None:
        raise MissingAttributeTypes(f"allocation attribute type {name!r} does not exist; run 'manage.py ecs_setup'")
    attr_model.objects.create(allocation=allocation, allocation_attribute_type=attr_type, value=value)
    return True


def format_tb(tb: float) -> str:
    """A TB value as ColdFront shows it (``units.format_tb``)."""
    from ..units import format_tb as fmt

    return fmt(tb)


def set_float_value(allocation, name: str, value: float) -> bool:
    """Like set_value, but an equal number in another spelling ("10" vs "10.0") is left alone."""
    if same_number(get_value(allocation, name), value):
        return False
    return set_value(allocation, name, format_tb(value))


def record_quota(allocation, tb: float) -> None:
    """Store ``Storage Quota (TB)`` and ``Quota_In_Bytes``, the bytes ECS enforces (whole GB x 2**30)."""
    from .. import units

    set_float_value(allocation, attributes.QUOTA_TB, tb)
    set_value(allocation, attributes.QUOTA_BYTES, str(units.quota_bytes(tb)))


def record_names(allocation, namespace: str, bucket: str) -> None:
    set_value(allocation, attributes.NAMESPACE, namespace)
    set_value(allocation, attributes.BUCKET, bucket)


def other_allocations_recording(name: str, value: str, exclude_pk: int | None) -> list[int]:
    """Pks of other allocations whose attribute ``name`` holds ``value``."""
    attr_model, _type = _allocation_models()
    query = attr_model.objects.filter(allocation_attribute_type__name=name, value=value)
    if exclude_pk is not None:
        query = query.exclude(allocation_id=exclude_pk)
    return sorted(set(query.values_list("allocation_id", flat=True)))


def allocations_recording_namespace(namespace: str, resource=None) -> list[int]:
    """Pks of allocations recording this namespace (optionally only those on ``resource``)."""
    attr_model, _type = _allocation_models()
    query = attr_model.objects.filter(allocation_attribute_type__name=attributes.NAMESPACE, value=namespace)
    if resource is not None:
        query = query.filter(allocation__resources=resource)
    return sorted(set(query.values_list("allocation_id", flat=True)))


def resource_value(resource, name: str) -> str | None:
    """Raw value of a resource attribute, stripped; None when absent or blank."""
    value = resource.get_attribute(name, expand=False, typed=False)
    text = str(value).strip() if value is not None else ""
    return text or None


def set_resource_value(resource, name: str, value: str) -> bool:
    """Get-or-update a resource attribute; True when it wrote."""
    from coldfront.core.resource.models import ResourceAttribute, ResourceAttributeType

    row = ResourceAttribute.objects.filter(resource=resource, resource_attribute_type__name=name).first()
    if row is not None:
        if row.value == value:
            return False
        row.value = value
        row.save()
        return True
    attr_type = ResourceAttributeType.objects.filter(name=name).order_by("pk").first()
    if attr_type is None:
        raise MissingAttributeTypes(f"resource attribute type {name!r} does not exist; run 'manage.py ecs_setup'")
    ResourceAttribute.objects.create(resource=resource, resource_attribute_type=attr_type, value=value)
    return True


def is_ecs_resource(resource) -> bool:
    """True for an ECS resource (type in ECS_RESOURCE_TYPES and name containing ECS_RESOURCE_NAME_CONTAINS)."""
    from .resources import is_ecs_resource as check

    return check(resource)


def ecs_resources():
    """Every ECS resource (see ``services.resources``)."""
    from .resources import ecs_resources as query

    return query()
