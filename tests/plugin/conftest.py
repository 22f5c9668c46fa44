"""Fixtures for the plugin-core tests: real ColdFront objects, the real views, the session simulator
(the World builder lives in tests/harness/world.py)."""

from __future__ import annotations

import pytest

from harness.world import make_world


@pytest.fixture
def world(db, sim, client):
    """Plugin attribute types created (ecs_setup), a logged-in superuser, a reset simulator."""
    return make_world(sim, client, "cfadmin")


@pytest.fixture
def fork(world, monkeypatch):
    """The FASRC-fork shim (tests/plugin/fork_shim.py), installed for this test only."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "ecs_core_fork_shim"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fork_shim.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file executes
        spec.loader.exec_module(module)
    return module.install(monkeypatch)
