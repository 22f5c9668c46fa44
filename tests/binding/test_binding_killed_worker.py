"""A worker killed in the middle of provisioning (as gunicorn kills a timed-out worker), then recovery.

The approval runs in a real subprocess on a SQLite file; while one ECS call hangs the process is killed
with SIGKILL. The binding must say how far it got, and the next ``ecs_sync`` must resume it to exactly
one namespace and one bucket, never leaving the allocation Active with nothing on ECS and nothing said.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.endpoints import BUCKET_CREATE, LOCAL_VDC, LOGIN, NS_CREATE, NS_QUOTA, VPOOLS

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent


def _env(db: Path, ca: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sync_qcluster_settings",
            "ECS_QTEST_DB": str(db),
            "ECS_QTEST_CA": ca,
            "ECS_PROVISION_DEADLINE": "60",
            "ECS_REQUEST_TIMEOUT": "60",
            "PYTHONPATH": os.pathsep.join([str(TESTS / "sync"), str(TESTS), env.get("PYTHONPATH", "")]),
        }
    )
    return env


def _provision_while_hung(sim, env: dict[str, str], hung: str) -> subprocess.Popen:
    """Start a provisioning process and return once it is waiting on the hung ECS call."""
    sim.faults(endpoints={hung: 1.0}, kinds=["slow"], slow_ms=30000)
    before = sim.stats()["by_endpoint"].get(hung, 0)
    child = subprocess.Popen(
        [sys.executable, str(HERE / "worker_child.py"), "provision", sim.host_port],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_call(sim, hung, before)
    except BaseException:
        child.kill()
        child.communicate(timeout=30)
        raise
    return child


def _binding_and_status(db: Path) -> tuple[str, str]:
    """The binding's state and the allocation's ``ECS Status`` as another process reads them."""
    import sqlite3

    with sqlite3.connect(db, timeout=5) as conn:
        (state,) = conn.execute("SELECT state FROM coldfront_ecs_plugin_ecsbinding").fetchone()
        (status,) = conn.execute(
            "SELECT v.value FROM allocation_allocationattribute v JOIN allocation_allocationattributetype t "
            "ON v.allocation_attribute_type_id = t.id WHERE t.name = 'ECS Status'"
        ).fetchone()
    return state, status


def _wait_for_call(sim, endpoint: str, before: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sim.stats()["by_endpoint"].get(endpoint, 0) > before:
            return
        time.sleep(0.05)
    raise AssertionError(f"{endpoint} was never called")


@pytest.mark.slow
@pytest.mark.parametrize("hung", [LOGIN, LOCAL_VDC, VPOOLS, NS_CREATE, NS_QUOTA, BUCKET_CREATE])
def test_worker_killed_at_each_step_is_resumed_by_the_next_sync(sim, tmp_path, hung):
    env = _env(tmp_path / "site.sqlite3", sim.ca_path)
    child = _provision_while_hung(sim, env, hung)
    killed = _binding_and_status(tmp_path / "site.sqlite3")
    child.kill()  # as gunicorn kills a worker past its timeout
    child.communicate(timeout=30)
    sim.faults()
    # even a worker killed while it logs in leaves a binding that says so, and ColdFront shows it
    assert killed[0] == "provisioning", killed
    assert killed[1].startswith("provisioning (since"), killed

    done = subprocess.run(
        [sys.executable, str(HERE / "worker_child.py"), "recover"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["state"] == "active", result
    assert any("resumed" in note for note in result["sync"]["notes"]), result
    state = sim.control("GET", "/_sim/state")
    assert sorted(state["namespaces"]) == ["killed-lab"]
    assert sorted(state["buckets"]["killed-lab"]) == ["lab-killed-lab-bucket"]


@pytest.mark.slow
def test_the_site_keeps_writing_while_ecs_hangs_during_provisioning(sim, tmp_path):
    """SQLite, ColdFront's default database: no lock is held across ECS calls, so another request's write
    (here a plain connection with a 2 s busy timeout, as another gunicorn worker would be) completes."""
    import sqlite3

    db = tmp_path / "site.sqlite3"
    env = _env(db, sim.ca_path)
    child = _provision_while_hung(sim, env, NS_QUOTA)
    try:
        with sqlite3.connect(db, timeout=2) as conn:
            changed = conn.execute("UPDATE allocation_allocation SET justification = 'edited meanwhile'").rowcount
            conn.execute("INSERT INTO auth_group (name) VALUES ('written during a hung provisioning')")
        assert changed == 1
        assert child.poll() is None, "the provisioning is still waiting on ECS"
    finally:
        child.kill()
        child.communicate(timeout=30)
        sim.faults()
