"""Create the attribute types the plugin reads and writes (used by ``ecs_setup``).

Creates what is missing and never changes what exists (an admin may have tuned flags such
as ``is_private``).  Stock ColdFront has none of the quota and capacity types, so unlike
the reference plugin this creates them too.
"""

from __future__ import annotations

from django.db import transaction

from .. import attributes


def ensure_attribute_types() -> list[str]:
    """Create missing types; return a line per created object (empty: nothing to do)."""
    from coldfront.core.allocation.models import AllocationAttributeType
    from coldfront.core.allocation.models import AttributeType as AllocationBaseType
    from coldfront.core.resource.models import AttributeType as ResourceBaseType
    from coldfront.core.resource.models import ResourceAttributeType

    created: list[str] = []
    with transaction.atomic():
        for spec in attributes.RESOURCE_ATTRIBUTES:
            if ResourceAttributeType.objects.filter(name=spec.name).exists():
                continue
            base, new_base = ResourceBaseType.objects.get_or_create(name=spec.type_name)
            if new_base:
                created.append(f"resource attribute base type {spec.type_name}")
            ResourceAttributeType.objects.create(name=spec.name, attribute_type=base)
            created.append(f"resource attribute type {spec.name} ({spec.type_name})")
        for alloc_spec in attributes.ALLOCATION_ATTRIBUTES:
            if AllocationAttributeType.objects.filter(name=alloc_spec.name).exists():
                continue
            alloc_base = AllocationBaseType.objects.filter(name=alloc_spec.type_name).order_by("pk").first()
            if alloc_base is None:
                alloc_base = AllocationBaseType.objects.create(name=alloc_spec.type_name)
                created.append(f"allocation attribute base type {alloc_spec.type_name}")
            AllocationAttributeType.objects.create(
                name=alloc_spec.name,
                attribute_type=alloc_base,
                has_usage=alloc_spec.has_usage,
                is_private=alloc_spec.is_private,
                is_changeable=alloc_spec.is_changeable,
            )
            created.append(f"allocation attribute type {alloc_spec.name} ({alloc_spec.type_name})")
    return created
