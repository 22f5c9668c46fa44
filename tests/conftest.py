"""Shared fixtures: one ECS simulator per test session over real HTTPS, and ColdFront defaults."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.browser import browser  # noqa: F401  (one Chromium per session, for every browser suite)
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


# Tests of features a ColdFront before 1.1.8 does not have (the floor run, .venv-floor, ColdFront 1.1.6).
# Everything else in the suite runs there too; see the README, "Development".
NEEDS_COLDFRONT_1_1_8 = {
    "tests/binding/test_binding_provisioning.py::test_direct_edit_of_quota_in_bytes_is_reverted_with_a_note": (
        "ColdFront < 1.1.8 has no attribute-edit page, and Quota_In_Bytes is not changeable by request: "
        "there is no direct edit to revert"
    ),
    "tests/reliability/test_rel_bad_input.py::test_bad_quota_change_is_reverted_and_explained": (
        "ColdFront < 1.1.8 has no attribute-edit page, and its change-request view answers a non-numeric "
        "Float value with a 500 page of its own (ast.literal_eval), before any signal"
    ),
}


def coldfront_version() -> tuple[int, ...]:
    from importlib.metadata import version

    return tuple(int(part) for part in version("coldfront").split(".")[:3] if part.isdigit())


def pytest_collection_modifyitems(config, items):
    if coldfront_version() >= (1, 1, 8):
        return
    for item in items:
        reason = NEEDS_COLDFRONT_1_1_8.get(item.nodeid.split("[")[0])
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"ColdFront {'.'.join(map(str, coldfront_version()))}: {reason}"))


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
