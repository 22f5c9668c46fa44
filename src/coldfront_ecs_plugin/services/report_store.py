"""Keep the last ``ecs_sync`` and ``ecs_reconcile`` reports for the staff page.

Only the newest ``KEEP`` of each kind stay: the page shows the last one, history of ECS usage
lives in ColdFront's own history rows.
"""

from __future__ import annotations

from typing import Any

from .. import logs
from ..report_models import ECSReport, ReportKind

logger = logs.get_logger(__name__)
KEEP = 20


def save(kind: str, data: dict[str, Any], *, ok: bool, summary: str = "") -> ECSReport:
    """Store one report and drop the oldest beyond ``KEEP`` (2-3 queries)."""
    report = ECSReport.objects.create(kind=kind, data=data, ok=ok, summary=summary[:255])
    stale = list(ECSReport.objects.filter(kind=kind).order_by("-created", "-pk").values_list("pk", flat=True)[KEEP:])
    if stale:
        ECSReport.objects.filter(pk__in=stale).delete()
    return report


def latest(kind: str) -> ECSReport | None:
    return ECSReport.objects.filter(kind=kind).order_by("-created", "-pk").first()


def save_sync(report) -> ECSReport | None:
    """The sync report without its per-value changes (they can be thousands); never raises."""
    try:
        data = report.to_dict(with_changes=False)
        summary = f"{report.updated} updated, {report.unchanged} unchanged, {report.failed} failed"
        return save(ReportKind.SYNC, data, ok=report.ok, summary=summary)
    except Exception:
        logger.exception("could not store the ecs_sync report")
        return None


def resource_results(report: ECSReport | None) -> dict[int, dict[str, Any]]:
    """resource id → its part of a stored sync report."""
    if report is None:
        return {}
    return {r["resource_id"]: r for r in report.data.get("resources", []) if "resource_id" in r}
