"""``ecs_sync``: namespace quotas, bucket usage and cluster capacity from ECS into ColdFront.

The run, and why it is shaped this way:

1. Select the resources (name contains ``ECS_RESOURCE_NAME_CONTAINS``, or exact ``--resource``
   names) and group them by ECS endpoint: two resources on one URL share one client and one login.
2. Load the names (stored ``Namespace``/``Bucket`` attributes) of their Active allocations:
   a constant number of queries per resource.
3. Read every endpoint in parallel, each with its own bounded pool (``ECS_SYNC_CONCURRENCY``);
   see ``sync_read``. No database access happens off the main thread (SQLite).
4. As each endpoint finishes, apply its resources on the main thread, one transaction per
   resource: lock, reload, diff, write only changes in bulk with history (see ``sync_db``).
   An allocation whose values changed in ColdFront after its endpoint's reading began is left
   for the next run rather than overwritten with that older reading.

ECS is the source of truth for the quota *it enforces*; every value that differs is reported
(old → new), a failed read is reported and never written, and an unchanged run writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from .. import attributes, conf, logs, units
from ..endpoints import EndpointError, parse_endpoint
from . import lifecycle
from .hooks import after_sync
from .provisioning import recover_stale
from .sync_breaker import SKIPPED_PREFIX
from .sync_db import (
    AttributeTypes,
    Readings,
    ResourceTargets,
    apply_resource,
    load_targets,
    load_unlinked,
    mark_synced,
)
from .sync_read import EndpointReading, Progress, read_endpoint
from .sync_report import Failure, ResourceReport, SyncReport

logger = logs.get_logger(__name__)

__all__ = [
    "ResourceReport",
    "SyncReport",
    "group_by_endpoint",
    "select_resources",
    "sync_resources",
    "update_resource_usage",
]


def select_resources(
    resource_names: Iterable[str] | None = None, settings: conf.ECSSettings | None = None
) -> tuple[list, list[Failure]]:
    """ECS resources by exact names (each unknown name is a failure), else by the name filter."""
    from coldfront.core.resource.models import Resource

    names = [n for n in (resource_names or []) if n]
    if names:
        from .resources import is_ecs_resource

        found = list(Resource.objects.filter(name__in=names).select_related("resource_type").order_by("name"))
        known = {r.name for r in found}
        failures = [Failure(f"no resource named {n!r}") for n in names if n not in known]
        failures += [
            Failure(
                f"resource {r.name!r} is not an ECS resource (see ECS_RESOURCE_TYPES and ECS_RESOURCE_NAME_CONTAINS)"
            )
            for r in found
            if not is_ecs_resource(r, settings)
        ]
        return [r for r in found if is_ecs_resource(r, settings)], failures
    from .resources import ecs_resources

    return list(ecs_resources(settings)), []


def group_by_endpoint(resources: Iterable, settings: conf.ECSSettings) -> tuple[dict[str, list], dict[int, str]]:
    """endpoint base URL → resources, and resource id → why it has no usable endpoint (1 query)."""
    from coldfront.core.resource.models import ResourceAttribute

    resources = list(resources)
    urls: dict[int, str] = {}
    for resource_id, value in (
        ResourceAttribute.objects.filter(resource__in=resources, resource_attribute_type__name=attributes.URL)
        .order_by("-pk")
        .values_list("resource_id", "value")
    ):
        urls[resource_id] = value
    groups: dict[str, list] = {}
    errors: dict[int, str] = {}
    for resource in resources:
        try:
            base_url = parse_endpoint(urls.get(resource.pk), allow_http=settings.allow_http)
        except EndpointError as exc:
            errors[resource.pk] = str(exc)
            continue
        groups.setdefault(base_url, []).append(resource)
    return groups, errors


def _sum_tb(reading: EndpointReading, namespaces: Iterable[str]) -> tuple[float | None, int, list[str]]:
    """(sum of the namespaces' quotas in TB, how many are unlimited, which were not read)."""
    quotas, missing = [], []
    for ns in namespaces:
        quota = reading.quotas.get(ns)
        (missing.append(ns) if quota is None else quotas.append(quota))
    unlimited = sum(1 for q in quotas if q.unlimited)
    return sum(units.gb_to_tb(q.block_size_gb) for q in quotas if not q.unlimited), unlimited, sorted(missing)


def _allocated(reading: EndpointReading) -> tuple[float | None, str | None, str | None]:
    """(sum of every namespace quota on the endpoint in TB, why it is unknown, note about unlimited ones)."""
    if reading.listed is None:
        return None, reading.listing_error or "the namespace listing was not read", None
    total, unlimited, missing = _sum_tb(reading, reading.listed)
    if missing:
        return None, f"quota of {len(missing)} namespace(s) not read (e.g. {missing[0]!r})", None
    note = f"allocated_tb excludes {unlimited} namespace(s) with unlimited quota" if unlimited else None
    return total, None, note


def _check_clusters(reading: EndpointReading, targets: ResourceTargets) -> None:
    """A binding on another cluster than the endpoint now reaches is refused (not read, not written)."""
    for target in targets.targets.values():
        if target.cluster_id and reading.cluster_id and target.cluster_id != reading.cluster_id:
            target.error = (
                f"the resource's url now reaches ECS cluster {reading.cluster_id} ({reading.base_url}) "
                f"but this allocation's namespace lives on cluster {target.cluster_id}; not synced. "
                "Point the resource back, or re-link the allocation with manage.py ecs_link"
            )


def _one_line_each(report: ResourceReport, unresponsive: str | None) -> None:
    """One failure per allocation (its reasons joined), and one for all the allocations the circuit
    breaker skipped: the report's failure count is then the number of lines it prints."""
    reasons: dict[int, list[str]] = {}
    names: dict[int, Failure] = {}
    kept: list[Failure] = []
    for failure in report.failures:
        if failure.allocation_id is None:
            kept.append(failure)
            continue
        names.setdefault(failure.allocation_id, failure)
        found = reasons.setdefault(failure.allocation_id, [])
        if failure.reason not in found:
            found.append(failure.reason)
    skipped = [pk for pk, found in reasons.items() if all(r.startswith(SKIPPED_PREFIX) for r in found)]
    for pk, found in reasons.items():
        if pk not in skipped:
            first = names[pk]
            kept.append(Failure("; ".join(found), pk, first.namespace, first.bucket))
    kept = [f for f in kept if not (skipped and f.reason.startswith(SKIPPED_PREFIX))]
    if skipped:
        report.skipped = len(skipped)
        report.skipped_allocation_ids = sorted(skipped)
        kept.append(Failure(f"{len(skipped)} allocation(s) (and any capacity read) {unresponsive or SKIPPED_PREFIX}"))
    report.failures = kept


def _apply_endpoint(
    reading: EndpointReading,
    group: list[tuple[Any, ResourceTargets, ResourceReport]],
    types: AttributeTypes,
    dry_run: bool,
) -> None:
    """Main thread: write what one endpoint said into each of its resources."""
    allocated_tb, allocated_error, note = _allocated(reading)
    readings = Readings(reading.quotas, reading.quota_errors, reading.usages, reading.usage_errors)
    for resource, targets, report in group:
        if reading.error is not None:
            report.allocations = report.failed = len(targets.targets)
            report.fail(reading.error)
            continue
        _check_clusters(reading, targets)
        bound_tb, _unlimited, _missing = _sum_tb(reading, targets.wanted())
        report.allocated_bound_tb = bound_tb
        report.allocated_tb = allocated_tb
        if note:
            report.notes.append(note)
        try:
            apply_resource(
                resource.pk,
                targets,
                readings,
                types,
                report,
                dry_run=dry_run,
                capacity=reading.capacity,
                capacity_error=reading.capacity_error,
                allocated=(allocated_tb, allocated_error),
                read_started=reading.started,
            )
            if not dry_run:
                mark_synced(targets, report, reading.base_url, reading.cluster_id)
        except Exception as exc:
            logger.exception("ecs_sync: writing resource %s failed", resource.name)
            report.rolled_back(f"writing to the database failed: {type(exc).__name__}: {exc}")
            continue
        finally:
            _one_line_each(report, reading.unresponsive)
        logger.info(
            "ecs_sync %s: %d updated, %d unchanged, %d failed%s",
            resource.name,
            report.updated,
            report.unchanged,
            report.failed,
            " (dry run)" if dry_run else "",
        )


def sync_resources(
    resources: Iterable | None = None,
    *,
    dry_run: bool = False,
    resource_names: Iterable[str] | None = None,
    concurrency: int | None = None,
    deadline_s: float | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Sync the given resources (default: every ECS resource); never raises for ECS or data problems.

    ``deadline_s`` bounds each endpoint's ECS reading (a queued task must end before django-q kills
    it); ``progress(endpoint, namespaces read, of, seconds)`` is called from reader threads.
    """
    report = SyncReport(dry_run=dry_run)
    try:
        settings = conf.load()
    except conf.SettingsError as exc:
        report.failures.append(Failure(f"settings: {exc}"))
        return report
    types = AttributeTypes.load()
    if types.missing():
        report.failures.append(
            Failure(f"attribute types missing: {', '.join(types.missing())}; run 'manage.py ecs_setup'")
        )
        return report
    if resources is None:
        resources, unknown = select_resources(resource_names, settings)
        report.failures.extend(unknown)
    groups = _by_endpoint(resources, settings, report)
    if not dry_run:
        report.notes.extend(recover_stale(settings, [r.pk for r in resources]))
        report.notes.extend(lifecycle.apply_due(settings, [r.pk for r in resources]))
    _run_endpoints(
        _load_plan(groups, report),
        settings,
        types,
        report,
        dry_run=dry_run,
        concurrency=concurrency or settings.sync_concurrency,
        deadline_s=deadline_s,
        progress=progress,
    )
    after_sync(report)
    return report


def _by_endpoint(resources, settings: conf.ECSSettings, report: SyncReport) -> dict[str, list]:
    """The resources grouped by ECS endpoint; one whose ``url`` is unusable is a failed resource."""
    groups, bad_urls = group_by_endpoint(resources, settings)
    for resource_id, reason in bad_urls.items():
        resource = next(r for r in resources if r.pk == resource_id)
        failed = ResourceReport(resource.pk, resource.name)
        failed.fail(reason)
        report.resources.append(failed)
        logger.error("ecs_sync %s: %s", resource.name, reason)
    return groups


def _load_plan(
    groups: dict[str, list], report: SyncReport
) -> dict[str, list[tuple[Any, ResourceTargets, ResourceReport]]]:
    """Each endpoint's resources with their bound allocations (read now) and a report each; unlinked ones listed."""
    plan: dict[str, list[tuple[Any, ResourceTargets, ResourceReport]]] = {}
    for base_url, members in groups.items():
        for resource in members:
            resource_report = ResourceReport(resource.pk, resource.name, endpoint=base_url)
            report.resources.append(resource_report)
            report.unlinked.extend(load_unlinked(resource))
            plan.setdefault(base_url, []).append((resource, load_targets(resource.pk), resource_report))
    return plan


def _run_endpoints(
    plan: dict[str, list[tuple[Any, ResourceTargets, ResourceReport]]],
    settings: conf.ECSSettings,
    types: AttributeTypes,
    report: SyncReport,
    *,
    dry_run: bool,
    concurrency: int,
    deadline_s: float | None = None,
    progress: Progress | None = None,
) -> None:
    """Read the endpoints in parallel; apply each on this thread as soon as it is read."""
    from ..connections import client_for_endpoint

    if not plan:
        return

    def read(base_url: str) -> EndpointReading:
        wanted: dict[str, set[str]] = {}
        for _resource, targets, _report in plan[base_url]:
            for namespace, buckets in targets.wanted().items():
                wanted.setdefault(namespace, set()).update(buckets)
        return read_endpoint(
            base_url,
            wanted,
            concurrency=concurrency,
            breaker_failures=settings.breaker_failures,
            deadline_s=deadline_s,
            progress=progress,
            client_factory=lambda: client_for_endpoint(base_url, settings, pool_size=concurrency),
        )

    with ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="ecs-endpoint") as pool:
        futures = {pool.submit(read, base_url): base_url for base_url in plan}
        for future in as_completed(futures):
            base_url = futures.pop(future)
            reading = future.result()
            report.endpoints[base_url] = _endpoint_summary(reading)
            report.notes.extend(reading.fallbacks)
            _apply_endpoint(reading, plan.pop(base_url), types, dry_run)
            del reading, future


def _endpoint_summary(reading: EndpointReading) -> dict:
    """The endpoint's line in the report: cost, sources, how old its usage is, whether it was cut short."""
    from django.utils import timezone

    till = reading.usage_uptodate_till
    return {
        "requests": reading.requests,
        "seconds": round(reading.seconds, 3),
        "quota_source": reading.quota_source,
        "usage_source": reading.usage_source,
        "fallbacks": list(reading.fallbacks),
        "usage_uptodate_till": till.isoformat() if till else None,
        "usage_age_s": round((timezone.now() - till).total_seconds(), 1) if till else None,
        "unresponsive": reading.unresponsive,
        "skipped_calls": reading.skipped_calls,
        "error": reading.error,
    }


def update_resource_usage(resource) -> ResourceReport:
    """Sync one resource (the legacy ``ECSResourceManager.update_resource_usage()`` entry point)."""
    report = sync_resources([resource])
    if report.resources:
        return report.resources[0]
    failed = ResourceReport(resource.pk, resource.name)
    for failure in report.failures:
        failed.fail(failure.reason)
    return failed
