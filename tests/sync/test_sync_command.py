"""The ecs_sync management command and the django-q2 schedule helper."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.tasks import SCHEDULE_FUNC, ensure_sync_schedule
from harness.sync import history_rows, make_allocations, make_resource, provision_on_sim, values

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("ecs_sync", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def test_summary_and_exit_status_zero(ecs_resource, sim):
    provision_on_sim(sim, make_allocations(ecs_resource, 2))
    out, status = run()
    assert status == 0
    assert "2 updated, 0 unchanged, 0 failed" in out
    assert f"{attributes.QUOTA_TB}: 1 -> 2" in out


def test_failure_gives_exit_status_one_and_is_listed(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 2)
    provision_on_sim(sim, allocs[:1])
    out, status = run()
    assert status == 1
    assert "1 updated, 0 unchanged, 1 failed" in out
    assert f"FAILED ECS test cluster: allocation {allocs[1].pk}" in out


def test_dry_run_prints_changes_and_writes_nothing(ecs_resource, sim):
    [a] = make_allocations(ecs_resource, 1)
    provision_on_sim(sim, [a])
    rows, before = history_rows(), values(a.pk)
    out, status = run("--dry-run")
    assert status == 0 and "would change" in out and "dry run, nothing written" in out
    assert values(a.pk) == before and history_rows() == rows


def test_resource_filter_and_json(ecs_types, sim):
    one = make_resource("ECS one", sim.host_port)
    two = make_resource("ECS two", sim.host_port)
    provision_on_sim(sim, make_allocations(one, 1) + make_allocations(two, 1))
    out, status = run("--resource", "ECS two", "--json")
    data = json.loads(out)
    assert status == 0
    assert [r["name"] for r in data["resources"]] == ["ECS two"]
    assert data["updated"] == 1 and data["failed"] == 0 and data["resources"][0]["changes"]


def test_unknown_resource_name_fails(ecs_types, sim):
    out, status = run("--resource", "nope", "--json")
    assert status == 1
    assert json.loads(out)["failures"][0]["reason"] == "no resource named 'nope'"


def test_ensure_sync_schedule_is_idempotent(db, settings):
    from django_q.models import Schedule

    assert ensure_sync_schedule() == "created"
    assert ensure_sync_schedule() == "unchanged"
    assert ensure_sync_schedule(30) == "updated"
    assert ensure_sync_schedule(30) == "unchanged"
    Schedule.objects.create(name="ecs_sync", func=SCHEDULE_FUNC, schedule_type=Schedule.MINUTES, minutes=30)
    assert ensure_sync_schedule(30) == "updated"
    [schedule] = Schedule.objects.filter(name="ecs_sync")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (SCHEDULE_FUNC, Schedule.MINUTES, 30)
    settings.ECS_SYNC_SCHEDULE_MINUTES = 15
    assert ensure_sync_schedule() == "updated"
    assert Schedule.objects.get(name="ecs_sync").minutes == 15


def test_queue_in_sync_mode_runs_one_task_per_endpoint(ecs_resource, sim):
    """With the test settings' sync Q_CLUSTER the task runs inline: the wiring, not the broker."""
    [a] = make_allocations(ecs_resource, 1)
    provision_on_sim(sim, [a])
    out, status = run("--queue", "--json")
    assert status == 0 and len(json.loads(out)["queued"]) == 1
    assert values(a.pk)[attributes.QUOTA_TB][0] == "2"
