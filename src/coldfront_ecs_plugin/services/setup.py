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
        for spec in attributes.ALLOCATION_ATTRIBUTES:
            if AllocationAttributeType.objects.filter(name=spec.name).exists():
                continue
            base = AllocationBaseType.objects.filter(name=spec.type_name).order_by("pk").first()
            if base is None:
                base = AllocationBaseType.objects.create(name=spec.type_name)
                created.append(f"allocation attribute base type {spec.type_name}")
            AllocationAttributeType.objects.create(
                name=spec.name,
                attribute_type=base,
                has_usage=spec.has_usage,
                is_private=spec.is_private,
                is_changeable=spec.is_changeable,
            )
            created.append(f"allocation attribute type {spec.name} ({spec.type_name})")
    return created
