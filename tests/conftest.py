"""Shared fixtures: one ECS simulator per test session over real HTTPS, and ColdFront defaults."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.simulator import SimulatorHandle, start_simulator


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimulatorHandle]:
    """The session's simulator; its CA lands where the test settings' ECS_VERIFY_SSL points."""
    from django.conf import settings

    handle = start_simulator(settings.ECS_VERIFY_SSL)
    yield handle
    handle.stop()
    Path(settings.ECS_VERIFY_SSL).unlink(missing_ok=True)


@pytest.fixture
def sim(sim_server: SimulatorHandle) -> SimulatorHandle:
    """The session simulator, reset to an empty ECS (default replication group rg1) for this test."""
    sim_server.reset()
    return sim_server


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed ColdFront's own defaults once per session, as ``initial_setup`` would."""
    from harness.world import seed_defaults

    with django_db_blocker.unblock():
        seed_defaults()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a test skipped for a missing fixture file fails instead: CI must run everything."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped or not isinstance(report.longrepr, tuple):
        return
    reason = str(report.longrepr[2])
    if "fixtures not found" in reason:
        report.outcome = "failed"
        report.longrepr = f"CI=true: {reason}"
