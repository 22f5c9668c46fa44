"""The task-queue side of ecs_sync (Q_CLUSTER in sync mode runs each task inline and stores its result
as a qcluster would): the schedule's fan-out, a resource with an unusable url getting a task of its own,
and the schedule's settings."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes, tasks
from harness.sync import make_allocations, make_resource, provision_on_sim, values
from harness.world import set_resource_attr

pytestmark = pytest.mark.django_db


def stored_tasks(ids: list[str]) -> dict[str, tuple[bool, object]]:
    from django_q.models import Task

    return {t.name: (t.success, t.result) for t in Task.objects.filter(id__in=ids)}


def test_the_scheduled_sync_fans_out_one_task_per_endpoint(ecs_types, default_sim):
    sim = default_sim
    one, two = make_resource("ECS one", sim.host_port), make_resource("ECS two", sim.host_port)
    allocs = make_allocations(one, 1) + make_allocations(two, 1)
    provision_on_sim(sim, allocs)

    ids = tasks.run_scheduled_sync()

    [(name, (ok, summary))] = stored_tasks(ids).items()
    assert name == f"ecs_sync {sim.base_url}" and ok
    assert summary["updated"] == 2 and summary["endpoint"] == sim.base_url
    assert [r["name"] for r in summary["resources"]] == ["ECS one", "ECS two"]
    assert all(values(a.pk)[attributes.QUOTA_TB][0] == "2" for a in allocs)


def test_a_resource_with_an_unusable_url_gets_a_task_of_its_own_that_fails(ecs_types, default_sim):
    """Its failure is recorded with the task results (sync mode raises what a qcluster would store)."""
    broken = make_resource("ECS broken", default_sim.host_port)
    set_resource_attr(broken, attributes.URL, "ftp://ecs.example.org")

    with pytest.raises(tasks.SyncFailed) as raised:
        tasks.enqueue_sync(["ECS broken"])

    message = str(raised.value)
    assert message.startswith(f"ecs_sync (invalid url of resource {broken.pk}): 1 failure(s); report: ")
    assert "scheme 'ftp' is not supported" in message


def test_an_unknown_resource_name_queues_nothing_and_is_logged(ecs_types, default_sim, caplog):
    assert tasks.enqueue_sync(["no such resource"]) == []
    assert "ecs_sync --queue: no resource named 'no such resource'" in caplog.text


def test_a_task_for_an_endpoint_finds_its_resources_itself(ecs_types, default_sim):
    """``sync_endpoint_task(base_url)`` without ids (an older queued task): every ECS resource on it."""
    sim = default_sim
    resource = make_resource("ECS by endpoint", sim.host_port)
    [a] = make_allocations(resource, 1)
    provision_on_sim(sim, [a])
    summary = tasks.sync_endpoint_task(sim.base_url)
    assert summary["updated"] == 1 and [r["name"] for r in summary["resources"]] == ["ECS by endpoint"]


def test_schedule_needs_a_whole_minute_and_a_bad_async_setting_means_inline(db, settings):
    with pytest.raises(ValueError, match="needs at least 1 minute, got 0"):
        tasks.ensure_sync_schedule(0)
    settings.ECS_PROVISION_ASYNC = True
    assert tasks.provision_async() is True
    settings.ECS_PROVISION_ASYNC = "sometimes"
    assert tasks.provision_async() is False  # the system check names the setting; provisioning runs inline
