"""``manage.py ecs_sync``: a thin shell over ``services.sync`` (and ``tasks`` for ``--queue``)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ...services.sync import sync_resources
from ...services.sync_report import SyncReport


class Command(BaseCommand):
    help = ("Sync ECS namespace quotas, bucket usage and cluster capacity into ColdFront. "
            "Exit status 1 when anything failed.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--resource", action="append", default=[], metavar="NAME",
                            help="sync only this resource (exact name; repeatable)")
        parser.add_argument("--json", action="store_true", help="print a machine-readable report on stdout")
        parser.add_argument("--queue", action="store_true",
                            help="enqueue one django-q2 task per ECS endpoint instead of running here")

    def handle(self, *args, **options) -> None:
        if options["queue"]:
            self._queue(options)
            return
        report = sync_resources(dry_run=options["dry_run"], resource_names=options["resource"] or None)
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=None, default=str))
        else:
            self._print(report, verbosity=options["verbosity"])
        if not report.ok:
            raise CommandError(f"ecs_sync: {report.failed} failure(s)", returncode=1)

    def _queue(self, options) -> None:
        from ...tasks import enqueue_sync

        task_ids = enqueue_sync(resource_names=options["resource"] or None, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps({"queued": task_ids}))
        else:
            self.stdout.write(f"queued {len(task_ids)} ecs_sync task(s), one per ECS endpoint: {', '.join(task_ids)}")

    def _print(self, report: SyncReport, *, verbosity: int) -> None:
        prefix = "would change" if report.dry_run else "changed"
        for resource in report.resources:
            self.stdout.write(f"{resource.name} ({resource.endpoint or 'no endpoint'}): {resource.allocations} "
                              f"allocation(s)")
            for change in resource.changes:
                self.stdout.write(f"  {prefix} {change.describe()}")
            if verbosity > 1 or report.dry_run:
                for note in resource.notes:
                    self.stdout.write(f"  note: {note}")
        failures = report.all_failures()
        style = self.style.SUCCESS if report.ok else self.style.ERROR
        what = "dry run, nothing written" if report.dry_run else "written"
        self.stdout.write(style(f"ecs_sync ({what}): {report.updated} updated, {report.unchanged} unchanged, "
                                f"{report.failed} failed"))
        for resource_name, failure in failures:
            where = f"{resource_name}: " if resource_name else ""
            self.stdout.write(self.style.ERROR(f"  FAILED {where}{failure.describe()}"))
