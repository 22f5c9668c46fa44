"""Fixtures for the ecs_sync tests (builders live in tests/harness/sync.py)."""

from __future__ import annotations

import pytest

from harness.sync import ensure_types, make_resource


@pytest.fixture
def ecs_types(db) -> None:
    ensure_types()


@pytest.fixture
def ecs_resource(ecs_types, sim):
    """An ECS resource pointing at the session simulator (freshly reset)."""
    return make_resource("ECS test cluster", sim.host_port)
