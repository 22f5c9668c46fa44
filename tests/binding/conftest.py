"""Fixtures for the binding suite: the plugin-core ``world`` on the session simulator."""

from __future__ import annotations

import pytest

from harness.world import make_world


@pytest.fixture
def world(db, sim, client):
    return make_world(sim, client, "bindadmin")


@pytest.fixture
def second_sim(tmp_path):
    """Another ECS cluster (its own VDC id) for moved-resource tests."""
    from harness.simulator import start_simulator

    handle = start_simulator(tmp_path / "ca-b.pem")
    yield handle
    handle.stop()
