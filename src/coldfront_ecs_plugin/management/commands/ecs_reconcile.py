"""``manage.py ecs_reconcile [--resource NAME]... [--json] [--apply]``: the two-way drift report.

Exit status: 0 no drift, 1 drift found (after ``--apply``: drift it could not fix), 2 could not check.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from ...services.reconcile import reconcile
from ..options import add_report_options


class Command(BaseCommand):
    help = (
        "Compare ColdFront with ECS both ways; --apply pushes approved quotas (never below usage) and resumes "
        "stuck provisioning. Never deletes, never adopts."
    )

    def add_arguments(self, parser) -> None:
        add_report_options(parser, verb="compare", json_help="print the report as JSON (for monitoring)")
        parser.add_argument("--apply", action="store_true", help="fix what is safe to fix")

    def handle(self, *args, **options) -> None:
        report = reconcile(options["resource"], apply=options["apply"])
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2, default=str))
        else:
            self._print(report)
        status = report.exit_status
        if status:
            sys.exit(status)

    def _print(self, report) -> None:
        self.stdout.write(f"ecs_reconcile: {report.summary()}")
        for drift in report.drift:
            where = f"allocation {drift.allocation_id} " if drift.allocation_id else ""
            names = f"{drift.namespace or ''}{'/' + drift.bucket if drift.bucket else ''}"
            fix = " [fixed]" if drift.fixed else (f" [not fixed: {drift.fix_error}]" if drift.fix_error else "")
            self.stdout.write(f"  {drift.kind}: {drift.resource}: {where}{names}: {drift.detail}{fix}")
        for error in report.errors:
            self.stderr.write(f"  could not check: {error}")
