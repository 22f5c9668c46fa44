"""``manage.py ecs_link``: bind allocations to ECS storage that already exists (never writes to ECS)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...services import linking


class Command(BaseCommand):
    help = (
        "Link an allocation to an existing ECS namespace and bucket, or (--all) every unlinked Active "
        "allocation, using its Namespace/Bucket attributes or the reference plugin's names. Never writes to ECS."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("allocation_id", nargs="?", type=int)
        parser.add_argument("--namespace", help="the existing ECS namespace")
        parser.add_argument("--bucket", help="the existing bucket (default lab-<namespace>-bucket)")
        parser.add_argument("--all", action="store_true", help="link every unlinked Active allocation")
        parser.add_argument("--dry-run", action="store_true", help="say what would be linked; change nothing")

    def handle(self, *args, **options) -> None:
        if options["all"] == (options["allocation_id"] is not None):
            raise CommandError("give either ALLOCATION_ID --namespace NS, or --all")
        if options["all"]:
            results = linking.link_all(dry_run=options["dry_run"])
            for result in results:
                self.stdout.write(result.describe())
            linked = sum(r.action in ("linked", "would link") for r in results)
            self.stdout.write(
                f"{linked} of {len(results)} unlinked allocation(s) {'would be ' if options['dry_run'] else ''}linked"
            )
            return
        if not options["namespace"]:
            raise CommandError("--namespace is required with ALLOCATION_ID")
        try:
            result = linking.link(
                options["allocation_id"], options["namespace"], options["bucket"], dry_run=options["dry_run"]
            )
        except linking.LinkError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.describe())
