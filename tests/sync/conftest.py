"""Fixtures for the ecs_sync tests (helpers live in sync_helpers.py next to this file)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parent))  # appended: never shadow tests/conftest.py

import sync_helpers


@pytest.fixture
def ecs_types(db) -> None:
    sync_helpers.ensure_types()


@pytest.fixture
def ecs_resource(ecs_types, sim):
    """An ECS resource pointing at the session simulator (freshly reset)."""
    return sync_helpers.make_resource("ECS test cluster", sim.host_port)
