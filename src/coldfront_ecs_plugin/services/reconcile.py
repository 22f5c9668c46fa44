"""``ecs_reconcile``: compare ColdFront with ECS both ways and list every difference by kind.

Report only by default. ``apply=True`` fixes exactly two kinds, and only where it is safe: a quota
mismatch gets ColdFront's approved ``Storage Quota (TB)`` pushed to ECS through the quota service
(which refuses to go below usage), and stuck provisioning is resumed for an allocation that is
still active. Nothing is ever deleted or adopted: an orphan namespace is for ``ecs_link`` to adopt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Q
from django.utils import timezone

from .. import attributes, conf, logs, units
from ..connections import client_for_endpoint
from ..ecs import ECSError, Quota
from ..models import LIVE_STATES, BindingState, ECSBinding
from ..report_models import ReportKind
from . import report_store
from .display import tb_text, to_float
from .quota import PROVISIONED_STATUSES

logger = logs.get_logger(__name__)

KINDS = ("missing_namespace", "missing_bucket", "orphan_namespace", "quota_mismatch", "lifecycle", "stuck")
#: ColdFront statuses the lifecycle settings (issue 11) act on, and the setting that says how
LIFECYCLE_SETTING = {"Expired": "ECS_ON_EXPIRE", "Revoked": "ECS_ON_REVOKE", "Denied": "ECS_ON_REVOKE"}


@dataclass
class Drift:
    kind: str
    resource: str
    detail: str
    allocation_id: int | None = None
    namespace: str | None = None
    bucket: str | None = None
    fixable: bool = False
    fixed: bool = False
    fix_error: str | None = None
    quota_tb: float | None = None  # ColdFront's approved quota, for a quota_mismatch


@dataclass
class ReconcileReport:
    applied: bool = False
    resources: list[str] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        """2 could not check everything; 1 drift remains (after --apply: what it could not fix); 0 none."""
        if self.errors:
            return 2
        return 1 if any(not d.fixed for d in self.drift) else 0

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for d in self.drift if d.kind == kind) for kind in KINDS}

    def summary(self) -> str:
        found = ", ".join(f"{n} {kind}" for kind, n in self.counts().items() if n) or "no drift"
        fixed = sum(1 for d in self.drift if d.fixed)
        tail = f"; {fixed} fixed" if self.applied else ""
        errors = f"; {len(self.errors)} could not be checked" if self.errors else ""
        return f"{found}{tail}{errors}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked_at": timezone.now().isoformat(),
            "applied": self.applied,
            "exit_status": self.exit_status,
            "summary": self.summary(),
            "resources": self.resources,
            "counts": self.counts(),
            "drift": [asdict(d) for d in self.drift],
            "errors": list(self.errors),
        }


def reconcile(
    resource_names: Iterable[str] | None = None, *, apply: bool = False, store: bool = True
) -> ReconcileReport:
    """Check every selected ECS resource; never raises for ECS or data problems."""
    from .sync import group_by_endpoint, select_resources

    report = ReconcileReport(applied=apply)
    try:
        settings = conf.load()
    except conf.SettingsError as exc:
        report.errors.append(f"settings: {exc}")
        return _finish(report, store)
    resources, unknown = select_resources(resource_names, settings)
    report.errors.extend(f.reason for f in unknown)
    report.resources = [r.name for r in resources]
    groups, bad_urls = group_by_endpoint(resources, settings)
    names = {r.pk: r.name for r in resources}
    report.errors.extend(f"resource {names[pk]!r}: {reason}" for pk, reason in bad_urls.items())
    for base_url, members in groups.items():
        _check_endpoint(report, base_url, members, settings)
    if apply:
        _apply(report)
    return _finish(report, store)


def _finish(report: ReconcileReport, store: bool) -> ReconcileReport:
    if store:
        try:
            report_store.save(
                ReportKind.RECONCILE, report.to_dict(), ok=report.exit_status == 0, summary=report.summary()
            )
        except Exception:
            logger.exception("could not store the ecs_reconcile report")
    return report


def _check_endpoint(report: ReconcileReport, base_url: str, members: list, settings: conf.ECSSettings) -> None:
    """One endpoint: list its namespaces once, then check each binding of the selected resources on it."""
    ids = [r.pk for r in members]
    label = ", ".join(r.name for r in members)
    bindings = list(
        ECSBinding.objects.filter(resource_id__in=ids, state__in=LIVE_STATES, allocation__isnull=False)
        .select_related("allocation__status", "resource")
        .order_by("pk")
    )
    held = set(
        ECSBinding.objects.filter(Q(endpoint=base_url) | Q(resource_id__in=ids), state__in=LIVE_STATES).values_list(
            "namespace", flat=True
        )
    )
    quotas = _approved_quotas([b.allocation_id for b in bindings])
    try:
        with client_for_endpoint(base_url, settings) as client:
            listed = {ns.name for ns in client.list_namespaces()}
            for namespace in sorted(listed - held):
                report.drift.append(
                    Drift(
                        "orphan_namespace",
                        label,
                        "no ColdFront allocation holds this namespace; "
                        f"adopt it with 'manage.py ecs_link ALLOCATION_ID --namespace {namespace}'",
                        namespace=namespace,
                    )
                )
            for binding in bindings:
                try:
                    _check_binding(report, client, binding, listed, quotas.get(binding.allocation_id), settings)
                except ECSError as exc:
                    report.errors.append(
                        f"allocation {binding.allocation_id} ({binding.namespace}/{binding.bucket}): "
                        f"could not check: {exc}"
                    )
    except ECSError as exc:
        report.errors.append(f"{label} ({base_url}): could not list namespaces: {exc}")


def _approved_quotas(allocation_ids: list[int]) -> dict[int, str | None]:
    from coldfront.core.allocation.models import AllocationAttribute

    found: dict[int, str | None] = {}
    for allocation_id, value in (
        AllocationAttribute.objects.filter(
            allocation_id__in=allocation_ids, allocation_attribute_type__name=attributes.QUOTA_TB
        )
        .order_by("pk")
        .values_list("allocation_id", "value")
    ):
        found.setdefault(allocation_id, value)
    return found


def _check_binding(
    report: ReconcileReport,
    client,
    binding: ECSBinding,
    listed: set[str],
    approved: str | None,
    settings: conf.ECSSettings,
) -> None:
    status = binding.allocation.status.name
    where = {
        "resource": binding.resource.name if binding.resource else "",
        "allocation_id": binding.allocation_id,
        "namespace": binding.namespace,
        "bucket": binding.bucket,
    }
    if binding.state != BindingState.ACTIVE:
        _check_stuck(report, binding, status, where, settings)
        return
    if binding.namespace not in listed:
        report.drift.append(Drift("missing_namespace", detail="the binding's namespace is not on ECS", **where))
        return
    if not client.bucket_exists(binding.namespace, binding.bucket):
        report.drift.append(Drift("missing_bucket", detail="the binding's bucket is not on ECS", **where))
        return
    _check_quota(report, client, binding, approved, status, where)
    if status not in PROVISIONED_STATUSES:
        _check_lifecycle(report, client, binding, status, where)


def _check_stuck(report: ReconcileReport, binding: ECSBinding, status: str, where: dict, settings) -> None:
    from .bindings import is_stale

    if binding.state in (BindingState.PROVISIONING, BindingState.QUEUED) and not is_stale(
        binding, settings.provision_deadline * 2
    ):
        return  # a run is in progress
    detail = f"ECS Status {binding.state} since {binding.updated:%Y-%m-%d %H:%M}"
    if binding.last_error:
        detail += f": {binding.last_error[:300]}"
    fixable = status in PROVISIONED_STATUSES
    if not fixable:
        detail += f" (allocation is {status}: not resumed)"
    report.drift.append(Drift("stuck", detail=detail, fixable=fixable, **where))


def _quota_text(quota: Quota) -> str:
    return "unlimited" if quota.unlimited else tb_text(units.gb_to_tb(quota.block_size_gb))


def _check_quota(
    report: ReconcileReport, client, binding: ECSBinding, approved: str | None, status: str, where: dict
) -> None:
    """ColdFront's approved quota vs the namespace quota vs the bucket quota, compared in the GB ECS enforces."""
    tb = to_float(approved)
    try:
        wanted_gb = units.tb_to_gb(tb) if tb is not None else None
    except units.QuotaValueError:
        wanted_gb = None
    ns_quota = client.get_namespace_quota(binding.namespace)
    bucket_quota = client.get_bucket_quota(binding.namespace, binding.bucket)
    if wanted_gb is not None and ns_quota.block_size_gb == wanted_gb == bucket_quota.block_size_gb:
        return
    approved_text = "not set" if approved is None else (tb_text(tb) if wanted_gb is not None else repr(approved))
    detail = f"ColdFront {approved_text}, namespace {_quota_text(ns_quota)}, bucket {_quota_text(bucket_quota)}"
    fixable = wanted_gb is not None and status in PROVISIONED_STATUSES
    report.drift.append(Drift("quota_mismatch", detail=detail, fixable=fixable, quota_tb=tb, **where))


def _check_lifecycle(report: ReconcileReport, client, binding: ECSBinding, status: str, where: dict) -> None:
    """An allocation no longer Active whose storage is not frozen/locked as ``ECS_ON_EXPIRE``/``ECS_ON_REVOKE`` say.

    Silent while those settings are absent or ``none`` (the lifecycle feature is off)."""
    action = str(getattr(django_settings, LIFECYCLE_SETTING.get(status, ""), "none") or "none").lower()
    if action == "lock" and not client.get_bucket_lock(binding.namespace, binding.bucket):
        report.drift.append(
            Drift(
                "lifecycle",
                detail=f"allocation is {status} and ECS_ON_* says lock, but the bucket is not locked",
                **where,
            )
        )
    elif action == "freeze":
        used = client.get_namespace_usage(binding.namespace, include_buckets=False).size_bytes
        quota = client.get_namespace_quota(binding.namespace)
        frozen_gb = max(1, -(-used // units.BYTES_PER_GB))
        if quota.unlimited or quota.block_size_gb > frozen_gb:
            report.drift.append(
                Drift(
                    "lifecycle",
                    detail=f"allocation is {status} and ECS_ON_* says freeze, but the "
                    f"namespace quota is {_quota_text(quota)} above its usage",
                    **where,
                )
            )


def _apply(report: ReconcileReport) -> None:
    """The safe fixes only, each on its own; a refusal is recorded, never raised."""
    from .plan import ProvisioningError
    from .provisioning import provision
    from .quota import QuotaChangeError, change_quota

    for drift in report.drift:
        if not drift.fixable or drift.allocation_id is None:
            continue
        try:
            if drift.kind == "quota_mismatch" and drift.quota_tb is not None:
                change_quota(drift.allocation_id, drift.quota_tb)
            elif drift.kind == "stuck":
                provision(drift.allocation_id)
            else:
                continue
            drift.fixed = True
        except (QuotaChangeError, ProvisioningError, ECSError) as exc:
            drift.fix_error = str(exc)
        logger.info(
            "ecs_reconcile --apply: allocation %s %s: %s",
            drift.allocation_id,
            drift.kind,
            "fixed" if drift.fixed else drift.fix_error,
        )
