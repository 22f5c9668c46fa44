"""``--state`` is durable: no acknowledged write lost on SIGTERM, failed saves retried and reported,
bad or shared state files refused at start; the VDC identity is stable per state file."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import subprocess
import sys
import time

import requests

from harness.simulator import admin_session, start_simulator

VDC = "urn:storageos:VirtualDataCenterData:0f3c2a56-2b1e-4d8e-9a53-5e0c7d1f4b21"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecs_simulator", "--port", "0", "--no-tls", *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def test_sigterm_loses_no_acknowledged_write(tmp_path) -> None:
    path = tmp_path / "state.json"
    handle = start_simulator(tmp_path / "ca.pem", "--state", str(path))
    s = admin_session(handle)
    acknowledged: list[str] = []

    def create(i: int) -> None:
        try:
            r = s.post(handle.base_url + "/object/namespaces/namespace", json={"namespace": f"n{i}"}, timeout=5)
            if r.status_code == 200:
                acknowledged.append(f"n{i}")
        except requests.RequestException:
            pass

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(create, i) for i in range(400)]
        while len(acknowledged) < 40:
            time.sleep(0.005)
        handle.proc.terminate()  # SIGTERM while writes are in flight
        concurrent.futures.wait(futures)
    assert handle.proc.wait(timeout=15) == 0
    saved = json.loads(path.read_text())["namespaces"]
    assert set(acknowledged) <= set(saved), sorted(set(acknowledged) - set(saved))


def test_failed_save_is_retried_and_reported(tmp_path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "state.json"
    handle = start_simulator(tmp_path / "ca.pem", "--state", str(path))
    try:
        time.sleep(0.5)
        shutil.rmtree(folder)
        folder.write_text("not a directory")  # every save now fails
        s = admin_session(handle)
        assert s.post(handle.base_url + "/object/namespaces/namespace", json={"namespace": "kept"}, timeout=5).ok
        deadline = time.monotonic() + 5
        while handle.stats()["state_file"]["failures"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        report = handle.stats()["state_file"]
        assert report["failures"] >= 1 and report["last_error"] and report["pending"] is True
        assert s.get(handle.base_url + "/object/namespaces/namespace/kept", timeout=5).ok  # still serving
        folder.unlink()
        folder.mkdir()
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "kept" in json.loads(path.read_text())["namespaces"]
    finally:
        handle.stop()
    assert handle.proc.returncode == 0


def test_corrupt_state_is_refused_with_one_line(tmp_path) -> None:
    for content, reason in (
        ("{not json", "not valid JSON"),
        ("[1, 2]", "top level is list"),
        ('{"namespaces": {"a": 1}}', "namespace 'a'"),
        ('{"namespaces": {}, "buckets": {"x": {}}}', "no such namespace"),
    ):
        path = tmp_path / "state.json"
        path.write_text(content)
        done = _run("--state", str(path))
        assert done.returncode == 2 and done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0] and str(path) in lines[0], done.stderr


def test_second_simulator_on_one_state_file_is_refused(tmp_path) -> None:
    path = tmp_path / "state.json"
    first = start_simulator(tmp_path / "ca.pem", "--state", str(path))
    try:
        done = _run("--state", str(path))
        assert done.returncode == 2 and "in use by another ecs-simulator" in done.stderr
    finally:
        first.stop()
    again = start_simulator(tmp_path / "ca2.pem", "--state", str(path))  # the lock went with the process
    again.stop()


def test_vdc_identity_is_stable_per_state_file(tmp_path) -> None:
    path = tmp_path / "state.json"
    ids = []
    for args in ((), (), ("--vdc-id", VDC, "--vdc-name", "east"), ()):
        handle = start_simulator(tmp_path / "ca.pem", "--state", str(path), *args)
        try:
            vdc = admin_session(handle).get(handle.base_url + "/object/vdcs/vdc/local", timeout=5).json()
            ids.append((vdc["vdcId"], vdc["vdcName"]))
        finally:
            handle.stop()
    assert ids[0] == ids[1] and ids[0][1] == "vdc1"  # random once, then kept
    assert ids[2] == ids[3] == (VDC, "east")  # the command line wins, and is kept
    other = start_simulator(tmp_path / "ca.pem")
    try:
        assert (
            admin_session(other).get(other.base_url + "/object/vdcs/vdc/local", timeout=5).json()["vdcId"] != ids[0][0]
        )  # random per process
    finally:
        other.stop()
    assert _run("--vdc-id", "not-a-uuid").returncode == 2
