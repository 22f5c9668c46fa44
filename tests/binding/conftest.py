"""Fixtures for the binding suite: the plugin-core ``world`` on the session simulator."""

from __future__ import annotations

import pytest

from harness.world import make_world


@pytest.fixture
def world(db, sim, client):
    return make_world(sim, client, "bindadmin")


@pytest.fixture
def second_sim(tmp_path, settings):
    """Another ECS cluster (its own VDC id) for moved-resource tests; both CAs trusted."""
    from pathlib import Path

    from harness.simulator import start_simulator

    handle = start_simulator(tmp_path / "ca-b.pem")
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(Path(settings.ECS_VERIFY_SSL).read_text() + Path(handle.ca_path).read_text())
    settings.ECS_VERIFY_SSL = str(bundle)
    yield handle
    handle.stop()
