"""django-q2 tasks: ``ecs_sync`` fanned out as one task per ECS endpoint, and its periodic schedule.

Why per endpoint: an endpoint is the unit that shares a login and a connection pool, and the unit
whose load ECS operators care about; several qcluster workers (on several machines, with
ColdFront's Redis broker) then sync several clusters at once. Task results are the report
summary (no per-value changes: a big sync's list does not belong in the broker).

A task whose sync had failures raises ``SyncFailed`` after its report is complete, so django-q
stores it as failed (``success=False``, listed under failed tasks) with the report as the first
part of its result. Each task bounds its own ECS reading below ``Q_CLUSTER["timeout"]`` (see
``task_budget``), so a hung endpoint gives a report instead of a killed worker.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from . import conf, logs

logger = logs.get_logger(__name__)

SCHEDULE_NAME = "ecs_sync"
SCHEDULE_FUNC = "coldfront_ecs_plugin.tasks.run_scheduled_sync"
TASK_FUNC = "coldfront_ecs_plugin.tasks.sync_endpoint_task"
TASK_GROUP = "ecs_sync"


#: seconds kept for the database writes and the report, out of the django-q timeout
WRITE_MARGIN_FRACTION = 0.25
MIN_WRITE_MARGIN_S = 10.0


class SyncFailed(RuntimeError):
    """A queued sync finished with failures; the message is its JSON report (django-q's stored result)."""


def task_budget(timeout: object | None = None) -> float | None:
    """Seconds a task may spend reading ECS: the django-q timeout less a margin for the writes.

    ``None`` when django-q has no timeout.  At ColdFront's 120 s that leaves 90 s.
    """
    if timeout is None:
        from django.conf import settings

        timeout = (getattr(settings, "Q_CLUSTER", None) or {}).get("timeout")
    try:
        seconds = float(timeout)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return max(1.0, seconds - max(MIN_WRITE_MARGIN_S, seconds * WRITE_MARGIN_FRACTION))


def sync_endpoint_task(base_url: str, resource_ids: list[int] | None = None, dry_run: bool = False) -> dict:
    """Sync the given resources (default: every ECS resource on ``base_url``); returns the summary, or
    raises ``SyncFailed`` carrying it when anything failed."""
    from coldfront.core.resource.models import Resource

    from .services.sync import group_by_endpoint, select_resources, sync_resources

    if resource_ids:
        resources = list(Resource.objects.filter(pk__in=resource_ids).order_by("name"))
    else:
        settings = conf.load()
        groups, _errors = group_by_endpoint(select_resources(settings=settings)[0], settings)
        resources = groups.get(base_url, [])
    report = sync_resources(resources, dry_run=dry_run, deadline_s=task_budget())
    summary = report.to_dict(with_changes=False)
    summary["endpoint"] = base_url
    logger.info(
        "ecs_sync task %s: %d updated, %d unchanged, %d failed",
        base_url,
        report.updated,
        report.unchanged,
        report.failed,
    )
    if not summary["ok"]:
        raise SyncFailed(
            f"ecs_sync {base_url}: {len(summary['failures'])} failure(s); report: " + json.dumps(summary, default=str)
        )
    return summary


def enqueue_sync(resource_names: Iterable[str] | None = None, *, dry_run: bool = False) -> list[str]:
    """Enqueue one ``sync_endpoint_task`` per ECS endpoint; returns the django-q task ids.

    A resource whose ``url`` is unusable still gets its own task, so its failure is recorded with
    the task results instead of vanishing at enqueue time.
    """
    from django_q.tasks import async_task

    from .services.sync import group_by_endpoint, select_resources

    settings = conf.load(require_credentials=False)
    resources, unknown = select_resources(resource_names, settings)
    for failure in unknown:
        logger.error("ecs_sync --queue: %s", failure.reason)
    groups, bad = group_by_endpoint(resources, settings)
    batches = [(base_url, [r.pk for r in members]) for base_url, members in groups.items()]
    batches += [(f"(invalid url of resource {pk})", [pk]) for pk in bad]
    task_ids = []
    for base_url, ids in batches:
        task_ids.append(
            async_task(TASK_FUNC, base_url, ids, dry_run, task_name=f"ecs_sync {base_url}"[:100], group=TASK_GROUP)
        )
    return [str(t) for t in task_ids]


def run_scheduled_sync() -> list[str]:
    """What the schedule runs: fan out, so the periodic sync spreads over the cluster's workers."""
    return enqueue_sync()


def ensure_sync_schedule(minutes: int | None = None) -> str:
    """Create or update the single ``ecs_sync`` Schedule; returns "created", "unchanged" or "updated"."""
    from django.db import transaction
    from django_q.models import Schedule

    if minutes is None:
        minutes = conf.load(require_credentials=False).sync_schedule_minutes
    minutes = int(minutes)
    if minutes < 1:
        raise ValueError(f"the ecs_sync schedule needs at least 1 minute, got {minutes}")
    wanted = {"func": SCHEDULE_FUNC, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1}
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=SCHEDULE_NAME).order_by("pk"))
        if not existing:
            Schedule.objects.create(name=SCHEDULE_NAME, **wanted)
            return "created"
        keep, extra = existing[0], existing[1:]
        for duplicate in extra:  # an earlier bug or a copied database: never leave two
            duplicate.delete()
        changed = [k for k, v in wanted.items() if getattr(keep, k) != v]
        for key in changed:
            setattr(keep, key, wanted[key])
        if changed:
            keep.save()
        return "updated" if changed or extra else "unchanged"


# -- provisioning on the task queue (ECS_PROVISION_ASYNC) -------------------------------------------
PROVISION_FUNC = "coldfront_ecs_plugin.tasks.provision_task"


def provision_async() -> bool:
    try:
        return conf.load(require_credentials=False).provision_async
    except conf.SettingsError:
        return False


def enqueue_provision(allocation_pk: int) -> str:
    """Validate and claim now (the approval page answers at once); the ECS work runs in a qcluster task."""
    from django_q.tasks import async_task

    from .models import BindingState
    from .services import bindings, provisioning

    binding = provisioning.claim_for_queue(allocation_pk)
    if binding.state != BindingState.QUEUED:
        return ""  # already active: nothing to queue
    try:
        task_id = async_task(
            PROVISION_FUNC, allocation_pk, task_name=f"ecs_provision {allocation_pk}", group="ecs_provision"
        )
    except Exception as exc:
        bindings.finish(binding, BindingState.FAILED, error=f"could not queue provisioning: {exc}")
        raise
    return str(task_id)


def provision_task(allocation_pk: int) -> dict:
    """The queued provisioning: the same service; a failure reverts the approval and fails the task."""
    from .services import notes, provisioning

    try:
        outcome = provisioning.provision(allocation_pk)
    except Exception as exc:
        logger.error("queued ECS provisioning of allocation %s failed: %s", allocation_pk, exc)
        notes.revert_activation(allocation_pk, str(exc) or type(exc).__name__)
        raise
    return {"allocation": allocation_pk, "namespace": outcome.namespace, "bucket": outcome.bucket}
