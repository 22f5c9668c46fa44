"""``manage.py ecs_deprovision ALLOCATION_ID [--confirm]``: remove an allocation's storage from ECS.

Without ``--confirm`` it only prints what it would remove. With it, and only for an allocation that
is not in use, it removes the members' object users, the bucket (ECS refuses a non-empty one: the
plugin never empties it) and the namespace, and retires the binding.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ... import conf
from ...services import deprovision


class Command(BaseCommand):
    help = (
        "Remove an allocation's ECS bucket, namespace and member object users (not while Active or "
        "Renewal Requested; never empties a bucket). Without --confirm: print what would be removed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("allocation_id", type=int, metavar="ALLOCATION_ID")
        parser.add_argument("--confirm", action="store_true", help="really remove (default: only print the plan)")

    def handle(self, *args, **options) -> None:
        pk = options["allocation_id"]
        try:
            lines = deprovision.deprovision(pk, confirm=options["confirm"])
        except (deprovision.Refused, conf.SettingsError) as exc:
            raise CommandError(f"ecs_deprovision refused: {exc}", returncode=1) from exc
        for line in lines:
            self.stdout.write(line)
