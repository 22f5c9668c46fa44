"""The contract suite runs on every simulator profile: ecs-3.8 on the session simulator, the others
on one extra simulator each, started on first use and stopped at the end of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.simulator import SimulatorHandle, start_simulator

PROFILES = ["ecs-3.8", "ecs-3.1", "objectscale-4.1"]


@pytest.fixture(scope="session")
def profile_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SimulatorHandle]]:
    servers: dict[str, SimulatorHandle] = {}
    yield servers
    for handle in servers.values():
        handle.stop()


@pytest.fixture(params=PROFILES)
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sim(
    profile: str,
    sim_server: SimulatorHandle,
    profile_servers: dict[str, SimulatorHandle],
    tmp_path_factory: pytest.TempPathFactory,
) -> SimulatorHandle:
    """An empty ECS of this profile."""
    if profile == "ecs-3.8":
        handle = sim_server
    else:
        if profile not in profile_servers:
            ca = tmp_path_factory.mktemp(profile) / "ca.pem"
            profile_servers[profile] = start_simulator(ca, "--profile", profile)
        handle = profile_servers[profile]
    handle.reset()
    return handle
