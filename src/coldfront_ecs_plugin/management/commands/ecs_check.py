"""``manage.py ecs_check``: check each ECS resource's connection, credentials and capabilities."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ...services.check import run_checks
from ..options import add_report_options


class Command(BaseCommand):
    help = (
        "Check every ECS resource (url, TLS trust, login, logout, replication group, VDC, listing and "
        "billing capabilities); one line per check; exit status 1 on any failure. Writes nothing."
    )

    def add_arguments(self, parser) -> None:
        add_report_options(parser, verb="check")

    def handle(self, *args, **options) -> None:
        lines = run_checks(options["resource"] or None)
        failed = [line for line in lines if line.status == "fail"]
        if options["json"]:
            self.stdout.write(json.dumps({"ok": not failed, "checks": [line.to_dict() for line in lines]}))
        else:
            styles = {"ok": self.style.SUCCESS, "warn": self.style.WARNING, "fail": self.style.ERROR}
            for line in lines:
                self.stdout.write(styles[line.status](line.describe()))
        if failed:
            raise CommandError(f"ecs_check: {len(failed)} check(s) failed", returncode=1)
