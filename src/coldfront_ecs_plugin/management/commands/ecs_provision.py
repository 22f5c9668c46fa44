"""``manage.py ecs_provision ALLOCATION_ID…``: provision, or resume an interrupted provisioning, now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...services import provisioning


class Command(BaseCommand):
    help = "Provision (or resume) the ECS storage of the given allocations; exit status 1 if any failed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("allocation_ids", nargs="+", type=int, metavar="ALLOCATION_ID")

    def handle(self, *args, **options) -> None:
        failed = 0
        for pk in options["allocation_ids"]:
            try:
                outcome = provisioning.provision(pk)
            except Exception as exc:
                failed += 1
                self.stdout.write(self.style.ERROR(f"allocation {pk}: FAILED: {exc}"))
                continue
            self.stdout.write(f"allocation {pk}: {outcome.namespace}/{outcome.bucket} active")
        if failed:
            raise CommandError(f"ecs_provision: {failed} failure(s)", returncode=1)
