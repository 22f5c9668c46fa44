"""``manage.py ecs_setup``: a thin shell over ``services.setup`` (and ``tasks`` for ``--schedule``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coldfront_ecs_plugin.services.setup import ensure_attribute_types


class Command(BaseCommand):
    help = "Create the ECS plugin's resource and allocation attribute types (never changes existing ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="also create or update the django-q schedule that runs ecs_sync"
        )

    def handle(self, *args, **options) -> None:
        created = ensure_attribute_types()
        for line in created:
            self.stdout.write(f"created {line}")
        if not created:
            self.stdout.write("attribute types: nothing to do (all present)")
        if options["schedule"]:
            from coldfront_ecs_plugin.tasks import ensure_sync_schedule

            self.stdout.write(f"schedule: {ensure_sync_schedule()}")
