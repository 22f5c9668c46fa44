"""What runs after every ``ecs_sync`` (called once at the end of ``sync.sync_resources``).

Kept out of the sync modules so the sync stays about ECS → ColdFront; whatever fails here is
logged and never turns a finished sync into a failed one.
"""

from __future__ import annotations

from .. import logs

logger = logs.get_logger(__name__)


def after_sync(report) -> None:
    """Store the report for the staff page, then send near-quota emails (not on a dry run)."""
    if getattr(report, "dry_run", False):
        return
    from . import alerts, report_store

    report_store.save_sync(report)
    try:
        alerts.run_after_sync(report)
    except Exception:
        logger.exception("usage alerts after ecs_sync failed")
