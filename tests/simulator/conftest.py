"""Simulator-test helpers: raw ECS calls as the admin, and extra simulator processes per profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from harness.simulator import SimulatorHandle, admin_session, start_simulator

Call = Callable[..., tuple[int, Any]]


def raw_caller(handle: SimulatorHandle) -> tuple[Call, requests.Session]:
    """``call(method, path, body=None, data=None, **kw) -> (status, json-or-None)`` as the admin."""
    s = admin_session(handle)

    def call(method: str, path: str, body: Any = None, data: Any = None, **kw: Any) -> tuple[int, Any]:
        r = s.request(method, handle.base_url + path, json=body, data=data, timeout=10, allow_redirects=False, **kw)
        return r.status_code, (r.json() if r.content else None)

    return call, s


@pytest.fixture
def ecs(sim: SimulatorHandle) -> Iterator[Call]:
    """Admin calls on the (reset) session simulator."""
    call, s = raw_caller(sim)
    yield call
    s.close()


@pytest.fixture(scope="module")
def profile_sim(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A simulator playing ``request.param`` (indirect parametrization), one per module and profile."""
    handle = start_simulator(tmp_path_factory.mktemp("profile") / "ca.pem", "--profile", request.param)
    yield handle
    handle.stop()
