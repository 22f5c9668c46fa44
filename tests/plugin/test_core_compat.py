"""Older ColdFronts (compat.py): quota changes before 1.1.8, the task queue, and the system-check warnings.

The same tests run on ColdFront 1.1.10 (.venv) and on the floor, 1.1.6 (.venv-floor).
"""

from __future__ import annotations

import types

import django.dispatch
import pytest

from coldfront_ecs_plugin import attributes, compat
from harness.endpoints import BUCKET_QUOTA, NS_QUOTA


def _has_attribute_changed() -> bool:
    from coldfront.core.allocation import signals

    return hasattr(signals, "allocation_attribute_changed")


def _module(*names: str) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{name: django.dispatch.Signal() for name in names})


def test_legacy_receiver_connected_only_where_attribute_changed_is_missing():
    from coldfront.core.allocation import signals

    connected = compat.connect_legacy_receivers()
    assert connected == ([] if _has_attribute_changed() else ["allocation_change_approved"])
    before = len(signals.allocation_change_approved.receivers)
    assert compat.connect_legacy_receivers() == connected  # idempotent: same dispatch_uid
    assert len(signals.allocation_change_approved.receivers) == before


@pytest.mark.parametrize(
    ("names", "needed"),
    [
        (("allocation_change_approved",), True),  # stock < 1.1.8
        (("allocation_change_approved", "allocation_attribute_changed"), False),  # stock 1.1.8+
        (("allocation_change_approved", "allocation_autocreate", "allocation_autoupdate"), False),  # the fork
        ((), False),
    ],
)
def test_which_coldfronts_need_the_change_approved_receiver(names, needed):
    module = _module(*names)
    assert compat.needs_change_approved_receiver(module) is needed
    assert compat.connect_legacy_receivers(module) == (["allocation_change_approved"] if needed else [])


def test_an_approved_change_reaches_ecs_exactly_once(world):
    """1.1.10: through allocation_attribute_changed only; 1.1.6: through allocation_change_approved."""
    allocation = world.allocation("Compat Lab", quota_tb="2")
    world.approve(allocation)
    before = world.sim.stats()["by_endpoint"]
    change = world.request_change(allocation, "3")
    world.approve_change(change, "3")
    after = world.sim.stats()["by_endpoint"]
    assert after.get(NS_QUOTA, 0) - before.get(NS_QUOTA, 0) == 1
    assert after.get(BUCKET_QUOTA, 0) - before.get(BUCKET_QUOTA, 0) == 1
    assert world.attr(allocation, attributes.QUOTA_BYTES) == str(3 * 2**40)


def test_change_approved_receiver_ignores_other_attributes_and_the_fork(world, monkeypatch):
    from coldfront_ecs_plugin import signals

    calls = []
    monkeypatch.setattr(signals, "on_allocation_attribute_changed", lambda *a, **k: calls.append(k))
    allocation = world.allocation("Other Lab", quota_tb="2", namespace="other-lab")
    change = world.request_change(allocation, "another-lab", name=attributes.NAMESPACE)
    compat.on_allocation_change_approved(None, allocation_pk=allocation.pk, allocation_change_pk=change.pk)
    assert calls == []
    change = world.request_change(allocation, "4")
    compat.on_allocation_change_approved(None, allocation_pk=allocation.pk, allocation_change_pk=change.pk)
    assert [c["allocation_pk"] for c in calls] == [allocation.pk]
    monkeypatch.setattr(signals, "fork_signals_present", lambda: True)
    compat.on_allocation_change_approved(None, allocation_pk=allocation.pk, allocation_change_pk=change.pk)
    assert len(calls) == 1


def test_compat_check_is_quiet_on_a_supported_coldfront():
    assert compat.check_compat() == []
    assert compat.django_q_available()


def test_compat_check_warns_instead_of_failing(monkeypatch):
    monkeypatch.setattr(compat, "_signals_module", lambda: _module("allocation_activate"))
    monkeypatch.setattr(compat.importlib.util, "find_spec", lambda name: None)
    ids = [m.id for m in compat.check_compat()]
    assert ids == [compat.NO_QUOTA_SIGNAL_WARNING, compat.NO_TASK_QUEUE_WARNING]


def test_the_django_q_module_in_use_has_what_the_plugin_calls():
    """django-q 1.3.9 and django-q2 both: async_task(task_name=, group=) and Schedule.MINUTES."""
    import inspect

    from django_q.models import Schedule
    from django_q.tasks import async_task

    assert Schedule.MINUTES == "I"
    assert {"name", "func", "schedule_type", "minutes", "repeats"} <= {f.name for f in Schedule._meta.get_fields()}
    assert "kwargs" in str(inspect.signature(async_task))
