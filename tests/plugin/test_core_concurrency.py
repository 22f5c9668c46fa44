"""Two activations of one allocation at once produce exactly one namespace: the second waits for the first's
binding (no lock is held across ECS calls) and then only checks."""

from __future__ import annotations

import os
import threading

import pytest

from coldfront_ecs_plugin import attributes
from harness.endpoints import NS_CREATE


@pytest.fixture
def reseed(django_db_blocker):
    """A transactional test flushes the tables; ColdFront's session-wide defaults are seeded before (an earlier
    transactional test, e.g. a live-server browser test, may have flushed them) and put back afterwards."""
    from harness.world import seed_defaults

    with django_db_blocker.unblock():
        seed_defaults()
    yield
    from coldfront.core.field_of_science.models import FieldOfScience
    from django.core.management import call_command

    with django_db_blocker.unblock():
        with open(os.devnull, "w") as devnull:
            for command in ("add_default_project_choices", "add_resource_defaults", "add_allocation_defaults"):
                call_command(command, stdout=devnull)
        FieldOfScience.objects.get_or_create(pk=149, defaults={"description": "Other"})


@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_create_one_namespace(reseed, world):
    from django.db import connection

    from coldfront_ecs_plugin.services import provisioning

    allocation = world.allocation("Race Lab", quota_tb="1")
    barrier = threading.Barrier(2)
    outcomes: list = []
    errors: list = []

    def activate() -> None:
        try:
            barrier.wait()
            outcomes.append(provisioning.provision(allocation.pk))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=activate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(o.created_namespace for o in outcomes) == [False, True]
    assert world.namespaces() == ["race-lab"]
    assert world.buckets() == {"race-lab": ["lab-race-lab-bucket"]}
    assert world.sim.stats()["by_endpoint"][NS_CREATE] == 1
    assert world.attr_count(allocation, attributes.NAMESPACE) == 1
