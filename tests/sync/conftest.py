"""Fixtures for the ecs_sync tests (builders live in tests/harness/sync.py).

Every test here that takes ``sim`` runs once per simulator profile: the default ``ecs-3.8`` (the
session simulator), ``ecs-3.1`` (listing without quotas, no bulk billing) and ``objectscale-4.1``.
One simulator per profile is started for the whole session, on first use; their CAs join the
bundle the test settings trust.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.simulator import SimulatorHandle, start_simulator
from harness.sync import ensure_types, make_resource

PROFILES = ("ecs-3.8", "ecs-3.1", "objectscale-4.1")
DEFAULT_PROFILE = "ecs-3.8"


@pytest.fixture(scope="session")
def profile_sims(sim_server: SimulatorHandle, tmp_path_factory) -> Iterator[dict[str, SimulatorHandle]]:
    """profile -> its session simulator; the default profile is the shared session simulator."""
    started: dict[str, SimulatorHandle] = {DEFAULT_PROFILE: sim_server}
    yield started
    for profile, handle in started.items():
        if profile != DEFAULT_PROFILE:
            handle.stop()


def profile_sim(profile: str, profile_sims: dict[str, SimulatorHandle], tmp_path_factory) -> SimulatorHandle:
    from django.conf import settings

    if profile not in profile_sims:
        ca = tmp_path_factory.mktemp(profile) / "ca.pem"
        handle = start_simulator(ca, "--profile", profile)
        with open(settings.ECS_VERIFY_SSL, "a") as bundle:  # trusted by the plugin's settings from now on
            bundle.write(Path(ca).read_text())
        profile_sims[profile] = handle
    handle = profile_sims[profile]
    handle.reset()
    handle.faults()
    return handle


@pytest.fixture(params=PROFILES)
def sim(request, profile_sims, tmp_path_factory) -> SimulatorHandle:
    """A freshly reset simulator of each profile in turn."""
    return profile_sim(request.param, profile_sims, tmp_path_factory)


@pytest.fixture
def default_sim(profile_sims, tmp_path_factory) -> SimulatorHandle:
    """The default-profile simulator only, for tests of one profile's behaviour."""
    return profile_sim(DEFAULT_PROFILE, profile_sims, tmp_path_factory)


@pytest.fixture
def ecs_types(db) -> None:
    ensure_types()


@pytest.fixture
def ecs_resource(ecs_types, sim):
    """An ECS resource pointing at the simulator (freshly reset)."""
    return make_resource("ECS test cluster", sim.host_port)
