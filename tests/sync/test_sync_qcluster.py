"""``ecs_sync --queue`` with a REAL ``qcluster`` process on Redis 127.0.0.1:6379 (ColdFront's default broker).

Required in CI (``CI=true``: an unreachable Redis fails the test); skipped elsewhere when no Redis runs.
Set-up: every Django process here (seeding, the enqueuing command, the cluster) uses
``sync_qcluster_settings`` and one SQLite file; the test itself reads results with ``sqlite3``.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from harness.simulator import start_simulator
from harness.sync import Alloc, provision_on_sim

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent


def _redis_or_skip() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as exc:
        message = f"no Redis on 127.0.0.1:6379 ({exc}); start redis-server to run the real-qcluster test"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true requires Redis: {message}")
        pytest.skip(message)


def _env(db: Path, ca: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sync_qcluster_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(TESTS), env.get("PYTHONPATH", "")]),
            "ECS_QTEST_DB": str(db),
            "ECS_QTEST_CA": str(ca),
            "ECS_QTEST_QNAME": f"ecs-qtest-{uuid.uuid4().hex[:8]}",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _wait_for_tasks(db: Path, task_ids: list[str], timeout: float = 30.0) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db, timeout=10) as conn:
            marks = ",".join("?" * len(task_ids))
            rows = conn.execute(f"SELECT id, success, name, result FROM django_q_task WHERE id IN ({marks})", task_ids)
            rows = rows.fetchall()
        if len(rows) == len(task_ids):
            return rows
        time.sleep(0.3)
    raise AssertionError(f"qcluster did not finish {task_ids} within {timeout} s (got {rows})")


def _unpickled(stored: str) -> object:
    """django-q's result column (a django-picklefield: base64 of a pickle)."""
    import base64
    import pickle

    return pickle.loads(base64.b64decode(stored))


def _quota_values(db: Path) -> dict[str, str]:
    query = """SELECT ns.value, q.value FROM allocation_allocationattribute q
               JOIN allocation_allocationattributetype qt ON qt.id = q.allocation_attribute_type_id
               JOIN allocation_allocationattribute ns ON ns.allocation_id = q.allocation_id
               JOIN allocation_allocationattributetype nt ON nt.id = ns.allocation_attribute_type_id
               WHERE qt.name = 'Storage Quota (TB)' AND nt.name = 'Namespace'"""
    with sqlite3.connect(db, timeout=10) as conn:
        return dict(conn.execute(query).fetchall())


@pytest.mark.slow
def test_queue_fans_out_one_task_per_endpoint_to_a_real_qcluster(default_sim, tmp_path):
    _redis_or_skip()
    sim = default_sim
    other = start_simulator(tmp_path / "ca2.pem")
    cluster = None
    try:
        layout = [
            (sim, [Alloc(0, f"qa-{k}", f"qa-{k}-bucket") for k in range(3)]),
            (other, [Alloc(0, f"qb-{k}", f"qb-{k}-bucket") for k in range(3)]),
        ]
        for handle, allocs in layout:
            provision_on_sim(handle, allocs[:2] if handle is other else allocs, quota_gb=2048)
        bundle = tmp_path / "bundle.pem"
        bundle.write_text(Path(sim.ca_path).read_text() + Path(other.ca_path).read_text())
        db = tmp_path / "qcluster.sqlite3"
        env = _env(db, bundle)
        spec = {
            "resources": [
                {"name": f"ECS q{i}", "url": handle.host_port, "allocations": [[a.namespace, a.bucket] for a in allocs]}
                for i, (handle, allocs) in enumerate(layout)
            ]
        }
        seeded = subprocess.run(
            [sys.executable, str(HERE / "sync_qcluster_seed.py"), json.dumps(spec)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr

        cluster = subprocess.Popen(
            [sys.executable, "-m", "django", "qcluster"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        queued = _manage(env, "ecs_sync", "--queue", "--json")
        assert queued.returncode == 0, queued.stderr
        task_ids = json.loads(queued.stdout)["queued"]
        assert len(task_ids) == 2  # one per endpoint

        rows = _wait_for_tasks(db, task_ids)
        # the endpoint whose qb-2 is missing on ECS ends as a failed task whose result is its report
        outcome = {name.split()[-1]: (success, _unpickled(result)) for _id, success, name, result in rows}
        assert outcome[sim.base_url][0] == 1, rows
        success, result = outcome[other.base_url]
        assert success == 0 and result.startswith(f"ecs_sync {other.base_url}: 1 failure(s); report: "), result
        assert '"namespace": "qb-2"' in result
        written = {a.namespace: "2" for _h, allocs in layout for a in allocs if a.namespace != "qb-2"}
        assert _quota_values(db) == {**written, "qb-2": "1"}
    finally:
        if cluster is not None:
            cluster.terminate()
            try:
                cluster.wait(timeout=15)
            except subprocess.TimeoutExpired:
                cluster.kill()
        other.stop()
