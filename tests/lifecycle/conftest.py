"""Fixtures for the lifecycle suite: transactional (status changes run their ECS work after the commit,
as in production), the plugin-core ``world`` on the session simulator, and lifecycle settings."""

from __future__ import annotations

import pytest

from harness.world import make_world, seed_defaults


@pytest.fixture
def world(transactional_db, django_db_blocker, sim, client, settings):
    """A transactional test flushes every table: ColdFront's defaults are seeded before and put back after."""
    seed_defaults()
    settings.ECS_ON_EXPIRE = "none"
    settings.ECS_ON_REVOKE = "none"
    settings.ECS_LIFECYCLE_GRACE_DAYS = 0
    settings.ECS_S3_USERS = False
    yield make_world(
        sim, client, "lifeadmin", user_prefix="lifepi", resource_prefix="ECS-life-", default_title="Life Lab"
    )
    with django_db_blocker.unblock():
        seed_defaults()
