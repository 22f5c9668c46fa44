"""The ECS simulator as a subprocess: ``start_simulator`` and the ``SimulatorHandle`` it returns."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

import requests


@dataclass
class SimulatorHandle:
    """A running ``ecs-simulator`` process and its control API (``/_sim/...``)."""

    base_url: str
    ca_path: str
    proc: subprocess.Popen
    user: str = "admin"
    password: str = "ChangeMe"
    _session: requests.Session = field(default_factory=requests.Session)

    @property
    def host_port(self) -> str:
        return self.base_url.split("://", 1)[1]

    def control(self, method: str, path: str, payload: dict | None = None) -> dict:
        verify = self.ca_path if self.base_url.startswith("https") else False
        response = self._session.request(method, self.base_url + path, json=payload, verify=verify, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def reset(self) -> None:
        self.control("POST", "/_sim/reset")

    def set_usage(self, namespace: str, bucket: str, size_bytes: int, objects: int = 0) -> None:
        self.control(
            "POST",
            "/_sim/usage",
            {"namespace": namespace, "bucket": bucket, "size_bytes": size_bytes, "objects": objects},
        )

    def set_capacity(self, total_provisioned_gb: float, total_free_gb: float) -> None:
        self.control(
            "POST", "/_sim/capacity", {"total_provisioned_gb": total_provisioned_gb, "total_free_gb": total_free_gb}
        )

    def faults(self, **payload) -> None:
        self.control("POST", "/_sim/faults", payload)

    def stats(self) -> dict:
        return self.control("GET", "/_sim/stats")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._session.close()


def start_simulator(ca_out: str | os.PathLike, *args: str) -> SimulatorHandle:
    """Start ``ecs-simulator --port 0`` and wait for its single ``listening on`` line."""
    cmd = [sys.executable, "-m", "ecs_simulator", "--port", "0", "--ca-out", str(ca_out), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"ecs-simulator did not start: {line!r}")
    return SimulatorHandle(base_url=line.removeprefix("listening on "), ca_path=str(ca_out), proc=proc)


def admin_session(
    handle: SimulatorHandle, *, token: str | None = None, headers: dict[str, str] | None = None
) -> requests.Session:
    """A plain ``requests`` session on the simulator with ``headers`` and an auth token (a fresh login when
    ``token`` is None)."""
    s = requests.Session()
    s.verify = handle.ca_path
    s.trust_env = False  # else REQUESTS_CA_BUNDLE overrides Session.verify
    s.headers.update(headers or {})
    if token is None:
        token = s.get(handle.base_url + "/login", auth=(handle.user, handle.password), timeout=5).headers[
            "X-SDS-AUTH-TOKEN"
        ]
    s.headers["X-SDS-AUTH-TOKEN"] = token
    return s
