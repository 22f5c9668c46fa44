"""``manage.py ecs_sync``: a thin shell over ``services.sync`` (and ``tasks`` for ``--queue``)."""

from __future__ import annotations

import json
import threading
import time

from django.core.management.base import BaseCommand, CommandError

from ...services.sync import sync_resources
from ...services.sync_report import SyncReport

PROGRESS_EVERY_S = 1.0


class Progress:
    """Per-endpoint progress on stderr (a terminal only): at most one line per endpoint per second."""

    def __init__(self, write) -> None:
        self.write = write
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, endpoint: str, done: int, total: int, seconds: float) -> None:
        now = time.monotonic()
        with self._lock:
            if done < total and now - self._last.get(endpoint, 0.0) < PROGRESS_EVERY_S:
                return
            self._last[endpoint] = now
            self.write(f"{endpoint}: {done}/{total} namespace(s) read, {seconds:.1f} s")


class Command(BaseCommand):
    help = (
        "Sync ECS namespace quotas, bucket usage and cluster capacity into ColdFront. "
        "Exit status 1 when anything failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument(
            "--resource",
            action="append",
            default=[],
            metavar="NAME",
            help="sync only this resource (exact name; repeatable)",
        )
        parser.add_argument("--json", action="store_true", help="print a machine-readable report on stdout")
        parser.add_argument(
            "--queue", action="store_true", help="enqueue one django-q2 task per ECS endpoint instead of running here"
        )

    def handle(self, *args, **options) -> None:
        if options["queue"]:
            self._queue(options)
            return
        progress = Progress(self.stderr.write) if self.stderr.isatty() and options["verbosity"] > 0 else None
        report = sync_resources(
            dry_run=options["dry_run"], resource_names=options["resource"] or None, progress=progress
        )
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
        if verbosity > 0:
            self._print_details(report, verbosity)
            style = self.style.SUCCESS if report.ok else self.style.ERROR
            what = "dry run, nothing written" if report.dry_run else "written"
            updated = f"{report.updated} would update" if report.dry_run else f"{report.updated} updated"
            skipped = f" ({report.skipped} allocation(s) skipped)" if report.skipped else ""
            self.stdout.write(
                style(f"ecs_sync ({what}): {updated}, {report.unchanged} unchanged, {report.failed} failed{skipped}")
            )
        for resource_name, failure in report.all_failures():
            where = f"{resource_name}: " if resource_name else ""
            self.stdout.write(self.style.ERROR(f"  FAILED {where}{failure.describe()}"))

    def _print_details(self, report: SyncReport, verbosity: int) -> None:
        prefix = "would change" if report.dry_run else "changed"
        for resource in report.resources:
            self.stdout.write(
                f"{resource.name} ({resource.endpoint or 'no endpoint'}): {resource.allocations} allocation(s)"
            )
            for change in resource.changes:
                self.stdout.write(f"  {prefix} {change.describe()}")
            if verbosity > 1 or report.dry_run:
                for note in resource.notes:
                    self.stdout.write(f"  note: {note}")
        for base_url, stats in report.endpoints.items():
            age = stats.get("usage_age_s")
            sampled = (
                f"; usage as ECS sampled it up to {stats['usage_uptodate_till']} ({age:.0f} s old)"
                if age is not None
                else ""
            )
            self.stdout.write(
                f"endpoint {base_url}: {stats['requests']} request(s), {stats['seconds']} s, quotas "
                f"from {stats['quota_source'] or '-'}, usage from {stats['usage_source'] or '-'}"
                f"{sampled}"
            )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
