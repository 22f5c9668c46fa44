"""The command-line contract other tools rely on: one ``listening on`` line, TLS with an exported CA."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
import trustme

from harness.simulator import start_simulator


def test_port_zero_prints_one_listening_line(sim_server) -> None:
    assert sim_server.base_url.startswith("https://127.0.0.1:")
    port = int(sim_server.base_url.rsplit(":", 1)[1])
    assert port not in (0, 4443)


def test_ca_out_verifies_and_a_wrong_ca_fails(sim_server, tmp_path) -> None:
    ok = requests.get(sim_server.base_url + "/_sim/stats", verify=sim_server.ca_path, timeout=5)
    assert ok.status_code == 200
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(sim_server.base_url + "/_sim/stats", verify=str(other), timeout=5)


def test_localhost_name_is_valid(sim_server) -> None:
    url = sim_server.base_url.replace("127.0.0.1", "localhost")
    assert requests.get(url + "/_sim/stats", verify=sim_server.ca_path, timeout=5).status_code == 200


def test_no_tls_custom_user_and_groups(tmp_path) -> None:
    handle = start_simulator(
        tmp_path / "ca.pem",
        "--no-tls",
        "--user",
        "root",
        "--password",
        "pw",
        "--replication-group",
        "east",
        "--replication-group",
        "west",
    )
    try:
        assert handle.base_url.startswith("http://")
        assert requests.get(handle.base_url + "/login", auth=("admin", "ChangeMe"), timeout=5).status_code == 401
        login = requests.get(handle.base_url + "/login", auth=("root", "pw"), timeout=5)
        assert login.status_code == 200 and login.json() == {"user": "root"}
        token = login.headers["X-SDS-AUTH-TOKEN"]
        groups = requests.get(
            handle.base_url + "/vdc/data-service/vpools",
            timeout=5,
            headers={"X-SDS-AUTH-TOKEN": token, "Accept": "application/json"},
        ).json()
        assert [g["name"] for g in groups["data_service_vpool"]] == ["east", "west"]
    finally:
        handle.stop()
    assert handle.proc.returncode == 0  # SIGTERM is a clean exit


def test_nothing_else_on_stdout(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecs_simulator", "--port", "0", "--no-tls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        requests.get(line.split()[-1] + "/login", auth=("admin", "nope"), timeout=5)
    finally:
        proc.terminate()
        rest = proc.communicate(timeout=10)[0]
    assert line.startswith("listening on http://127.0.0.1:")
    assert rest == ""


def test_latency_long_enough_for_a_hung_ecs_and_no_longer(tmp_path) -> None:
    """60 s outlasts gunicorn's 30 s worker timeout (a hung ECS); over ten minutes is refused with the range."""
    handle = start_simulator(tmp_path / "ca.pem", "--latency-ms", "60000")
    try:
        assert handle.control("GET", "/_sim/faults")["latency_ms"] == 60000
    finally:
        handle.stop()
    refused = subprocess.run(
        [sys.executable, "-m", "ecs_simulator", "--port", "0", "--latency-ms", "600001"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode != 0 and "--latency-ms within [0, 600000]" in refused.stderr
