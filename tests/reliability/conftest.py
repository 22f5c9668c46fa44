"""Fixtures for the reliability suite: a ColdFront world on the session simulator (helpers: tests/harness)."""

from __future__ import annotations

import pytest

from harness.world import make_world, seed_defaults


@pytest.fixture
def world(db, sim, client):
    """Plugin attribute types (ecs_setup), a logged-in superuser and a freshly reset simulator."""
    return make_world(sim, client, "reladmin", user_prefix="relpi", resource_prefix="ECS-rel-", default_title="Rel Lab")


@pytest.fixture
def reseed(transactional_db, django_db_blocker):
    """A transactional test flushes every table: make sure ColdFront's session-wide defaults are there
    before the test, and put them back afterwards for the tests that follow."""
    seed_defaults()
    yield
    with django_db_blocker.unblock():
        seed_defaults()
