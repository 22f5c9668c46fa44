"""Near-quota email: one message per threshold crossing, re-armed when usage falls back below.

``ECS_USAGE_ALERT_PERCENTS`` (e.g. ``[80, 95, 100]``) turns it on. After each sync every bound
allocation's level is the highest threshold its usage reaches; a level above the one already
announced sends one email (naming that level, even if the usage jumped past several), a level
below it re-arms silently. The state lives in ``ECSUsageAlert`` so a restart never re-sends.
Email goes through ColdFront's own helper, so ``EMAIL_ENABLED``, ``EMAIL_SENDER`` and the subject
prefix apply as for ColdFront's own messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.urls import NoReverseMatch, reverse

from .. import conf, logs
from .display import percent_text, tb_text
from .usage_rows import UsageRow, load_rows

logger = logs.get_logger(__name__)
ALERT_TEMPLATE = "coldfront_ecs_plugin/email/usage_alert.txt"
DIGEST_TEMPLATE = "coldfront_ecs_plugin/email/usage_digest.txt"


@dataclass
class AlertOutcome:
    sent: list[tuple[int, int]]  # (allocation id, threshold)
    rearmed: list[int]
    digest_rows: int


def level_for(used_percent: float | None, thresholds: Sequence[int]) -> int:
    """The highest threshold reached (0: none, or usage unknown)."""
    if used_percent is None:
        return 0
    return max((t for t in thresholds if used_percent >= t), default=0)


def run_after_sync(report) -> AlertOutcome | None:
    """Evaluate the allocations the sync read without failure; None when alerts are off."""
    settings = conf.load(require_credentials=False)
    if not settings.usage_alert_percents:
        return None
    resource_ids = [r.resource_id for r in report.resources if not r.resource_failed]
    failed = {f.allocation_id for r in report.resources for f in r.failures if f.allocation_id is not None}
    rows = [r for r in load_rows(resource_ids=resource_ids, states=["active"]) if r.allocation_id not in failed]
    return evaluate(rows, settings.usage_alert_percents, digest=settings.usage_alert_admin_digest)


def evaluate(rows: list[UsageRow], thresholds: Sequence[int], *, digest: bool) -> AlertOutcome:
    """Compare each row's level with the stored one; email the rises, store every change (3 queries + emails)."""
    from ..report_models import ECSUsageAlert

    stored = dict(
        ECSUsageAlert.objects.filter(allocation_id__in=[r.allocation_id for r in rows]).values_list(
            "allocation_id", "percent"
        )
    )
    outcome = AlertOutcome([], [], 0)
    managers = _manager_emails(r.allocation_id for r in rows)
    for row in rows:
        level, before = level_for(row.percent_used, thresholds), stored.get(row.allocation_id, 0)
        if level == before:
            continue
        if level > before:
            _send_alert(row, level, managers.get(row.allocation_id, []))
            outcome.sent.append((row.allocation_id, level))
        else:
            outcome.rearmed.append(row.allocation_id)
        ECSUsageAlert.objects.update_or_create(allocation_id=row.allocation_id, defaults={"percent": level})
    if digest:
        above = [r for r in rows if level_for(r.percent_used, thresholds) > 0]
        outcome.digest_rows = len(above)
        if above:
            _send_digest(above, thresholds)
    return outcome


def _manager_emails(allocation_ids: Iterable[int]) -> dict[int, list[str]]:
    """allocation id → the PI's and the project's active managers' addresses (1 query)."""
    from coldfront.core.allocation.models import Allocation
    from coldfront.core.project.models import ProjectUser

    projects = dict(Allocation.objects.filter(pk__in=list(allocation_ids)).values_list("pk", "project_id"))
    emails: dict[int, list[str]] = {}
    managers = ProjectUser.objects.filter(
        project_id__in=set(projects.values()), role__name="Manager", status__name="Active"
    ).values_list("project_id", "user__email")
    by_project: dict[int, list[str]] = {}
    for project_id, email in managers:
        if email:
            by_project.setdefault(project_id, []).append(email)
    for allocation_id, project_id in projects.items():
        emails[allocation_id] = by_project.get(project_id, [])
    return emails


def _absolute(name: str, pk: int) -> str:
    try:
        path = reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""
    return getattr(django_settings, "CENTER_BASE_URL", "").rstrip("/") + path


def _send(subject: str, template: str, context: dict, receivers: list[str]) -> None:
    from coldfront.core.utils.mail import send_email_template

    sender = getattr(django_settings, "EMAIL_SENDER", "")
    # by keyword: ColdFront 1.1.4 and 1.1.6 take (…, sender, receiver_list), 1.1.10 (…, receiver_list, sender=…)
    send_email_template(subject, template, context, sender=sender, receiver_list=receivers)


def _send_alert(row: UsageRow, level: int, managers: list[str]) -> None:
    receivers = sorted({e for e in [row.pi_email, *managers] if e})
    if not receivers:
        logger.warning(
            "allocation %s is at %s of its quota but nobody has an email address",
            row.allocation_id,
            percent_text(row.used_tb, row.quota_tb),
        )
        return
    context = {
        "row": row,
        "threshold": level,
        "used": tb_text(row.used_tb),
        "quota": tb_text(row.quota_tb),
        "percent": percent_text(row.used_tb, row.quota_tb),
        "allocation_url": _absolute("allocation-detail", row.allocation_id),
        "change_url": _absolute("allocation-change", row.allocation_id),
    }
    subject = f"Storage allocation {row.allocation_id} ({row.project}) is at {context['percent']} of its quota"
    _send(subject, ALERT_TEMPLATE, context, receivers)
    logger.info(
        "usage alert (%s %%) for allocation %s sent to %d address(es)",
        level,
        row.allocation_id,
        len(receivers),
    )


def _staff_emails() -> list[str]:
    """``EMAIL_ADMIN_LIST`` when the site set it, else every active staff account's address."""
    from django.contrib.auth.models import User
    from django.db.models import Q

    listed = list(getattr(django_settings, "EMAIL_ADMIN_LIST", []) or [])
    if listed:
        return listed
    return sorted(
        set(
            User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _send_digest(rows: list[UsageRow], thresholds: Sequence[int]) -> None:
    receivers = _staff_emails()
    if not receivers:
        logger.warning("ECS usage digest: no staff email address (set EMAIL_ADMIN_LIST)")
        return
    rows = sorted(rows, key=lambda r: -(r.percent_used or 0))
    lines = [
        {
            "row": r,
            "used": tb_text(r.used_tb),
            "quota": tb_text(r.quota_tb),
            "percent": percent_text(r.used_tb, r.quota_tb),
        }
        for r in rows
    ]
    subject = f"ECS storage: {len(rows)} allocation(s) at or above {min(thresholds)} % of their quota"
    _send(
        subject,
        DIGEST_TEMPLATE,
        {
            "lines": lines,
            "lowest": min(thresholds),
            "page_url": getattr(django_settings, "CENTER_BASE_URL", "").rstrip("/") + "/ecs/",
        },
        receivers,
    )
