"""``manage.py ecs_setup``: create the attribute types the plugin reads and writes.

Creates what is missing and never changes what exists (an admin may have tuned flags such
as ``is_private``).  Stock ColdFront has none of the quota and capacity types, so unlike
the reference plugin this command creates them too.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from coldfront_ecs_plugin import attributes


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


class Command(BaseCommand):
    help = "Create the ECS plugin's resource and allocation attribute types (never changes existing ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schedule", action="store_true",
                            help="also create or update the django-q schedule that runs ecs_sync")

    def handle(self, *args, **options) -> None:
        created = ensure_attribute_types()
        for line in created:
            self.stdout.write(f"created {line}")
        if not created:
            self.stdout.write("attribute types: nothing to do (all present)")
        if options["schedule"]:
            from coldfront_ecs_plugin.tasks import ensure_sync_schedule

            self.stdout.write(f"schedule: {ensure_sync_schedule()}")
