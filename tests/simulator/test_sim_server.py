"""Server limits and logging: --verbose, bounded threads with idle and handshake timeouts, --tls-cert."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from harness.simulator import start_simulator


def test_verbose_logs_one_line_per_request(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecs_simulator", "--port", "0", "--no-tls", "--verbose"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split()[-1]
        requests.get(url + "/login", auth=("admin", "ChangeMe"), timeout=5)
        requests.get(url + "/object/nothing", timeout=5)
    finally:
        proc.terminate()
        err = proc.communicate(timeout=10)[1]
    lines = [line for line in err.splitlines() if '"GET ' in line]
    # each line is written when its answer is done, by the handler's own thread: order is not guaranteed
    assert len(lines) == 2
    assert sum('"GET /login" 200' in line for line in lines) == 1
    assert sum('"GET /object/nothing" 404' in line for line in lines) == 1


def test_idle_connections_time_out_and_threads_are_bounded(tmp_path) -> None:
    handle = start_simulator(
        tmp_path / "ca.pem", "--max-threads", "2", "--idle-timeout", "0.5", "--handshake-timeout", "0.5"
    )
    host, port = handle.host_port.rsplit(":", 1)
    try:
        idle = [socket.create_connection((host, int(port))) for _ in range(6)]  # never say hello
        started = time.monotonic()
        r = requests.get(handle.base_url + "/_sim/stats", verify=handle.ca_path, timeout=10)
        assert r.status_code == 200 and time.monotonic() - started < 5  # served once the idle ones expired
        for sock in idle:
            sock.settimeout(3)
            assert sock.recv(1) == b""  # closed by the server
            sock.close()
    finally:
        handle.stop()


def test_localhost_only_certificate(tmp_path) -> None:
    handle = start_simulator(tmp_path / "ca.pem", "--tls-cert", "localhost")
    try:
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(handle.base_url + "/_sim/stats", verify=handle.ca_path, timeout=5)  # by IP: refused
        by_name = handle.base_url.replace("127.0.0.1", "localhost")
        assert requests.get(by_name + "/_sim/stats", verify=handle.ca_path, timeout=5).status_code == 200
    finally:
        handle.stop()
