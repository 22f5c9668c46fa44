"""Small records for the staff page: the last sync and drift reports, and which usage alert each allocation got.

Why models rather than a file or the cache: the page, ``ecs_sync`` (a django-q worker) and
``ecs_reconcile`` (cron) run in different processes, and an alert must be sent once per crossing
even across restarts.
"""

from __future__ import annotations

from django.db import models


class ReportKind:
    """Plain strings (they compare and serialise as themselves)."""

    SYNC = "sync"
    RECONCILE = "reconcile"
    choices = [(SYNC, "ecs_sync"), (RECONCILE, "ecs_reconcile")]


class ECSReport(models.Model):
    """One finished ``ecs_sync`` or ``ecs_reconcile`` run, as its JSON report (only the last few are kept)."""

    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    created = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField(default=True)
    summary = models.CharField(max_length=255, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "ECS report"
        indexes = [models.Index(fields=["kind", "-created"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.created:%Y-%m-%d %H:%M} ({'ok' if self.ok else 'problems'})"


class ECSUsageAlert(models.Model):
    """The highest ``ECS_USAGE_ALERT_PERCENTS`` threshold already announced for an allocation (0: none)."""

    allocation = models.OneToOneField("allocation.Allocation", on_delete=models.CASCADE, related_name="ecs_usage_alert")
    percent = models.PositiveSmallIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ECS usage alert"

    def __str__(self) -> str:
        return f"allocation {self.allocation_id}: {self.percent} %"
