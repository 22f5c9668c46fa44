"""Fixtures for the reliability suite: a ColdFront world on the session simulator (helpers: rel_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parent))  # appended: never shadow tests/conftest.py

import rel_helpers


@pytest.fixture
def world(db, sim, client):
    """Plugin attribute types (ecs_setup), a logged-in superuser and a freshly reset simulator."""
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin.management.commands.ecs_setup import ensure_attribute_types

    ensure_attribute_types()
    admin = User.objects.create_superuser("reladmin", "admin@example.org", "x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return rel_helpers.World(sim=sim, client=client, admin=admin)


@pytest.fixture
def reseed(transactional_db, django_db_blocker):
    """A transactional test flushes every table: make sure ColdFront's session-wide defaults are there
    before the test, and put them back afterwards for the tests that follow."""
    rel_helpers.reseed_defaults()
    yield
    with django_db_blocker.unblock():
        rel_helpers.reseed_defaults()
