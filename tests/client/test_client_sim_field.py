"""The issue-9 additions against the simulator over real HTTPS: deadline, pinning, bulk usage.

The simulator may or may not serve the newer calls (another branch adds them): each test accepts
either the right answer or an error that ``is_missing_call`` recognises, never anything else.
"""

from __future__ import annotations

import hashlib
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from coldfront_ecs_plugin.ecs import ECSClient, ECSError, ECSUnavailable, is_missing_call
from harness.simulator import SimulatorHandle


def make(sim: SimulatorHandle, **kwargs: Any) -> ECSClient:
    kwargs.setdefault("verify", sim.ca_path)
    kwargs.setdefault("timeout", 5.0)
    kwargs.setdefault("backoff", 0.01)
    return ECSClient(sim.base_url, sim.user, sim.password, **kwargs)


def test_deadline_bounds_a_slow_simulator(sim: SimulatorHandle) -> None:
    client = make(sim, timeout=10.0, retries=3)
    client.login()
    sim.faults(endpoints={"GET /object/capacity": 1.0}, kinds=["slow"], slow_ms=10000, seed=1)
    try:
        started = time.monotonic()
        with client.deadline(0.5), pytest.raises(ECSUnavailable, match="deadline exceeded"):
            client.get_capacity()
        assert time.monotonic() - started < 5.0  # generous for a busy machine: without the deadline, 10 s
    finally:
        sim.faults(fail_rate=0)
        client.close()


def test_pinning_the_simulator_certificate(sim: SimulatorHandle) -> None:
    parts = urlsplit(sim.base_url)
    assert parts.hostname and parts.port
    der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate((parts.hostname, parts.port)))
    with make(sim, verify=True, tls_fingerprint=hashlib.sha256(der).hexdigest()) as client:
        assert client.get_capacity().total_provisioned_gb > 0


def test_namespace_usages_match_per_namespace_billing_or_missing(sim: SimulatorHandle) -> None:
    with make(sim) as client:
        for ns in ("lab-a", "lab-b"):
            client.create_namespace(ns)
            client.create_bucket(ns, f"{ns}-b")
            sim.set_usage(ns, f"{ns}-b", 3 * 1024 * 1024, 2)
        try:
            usages = client.get_namespace_usages(["lab-a", "lab-b", "absent"])
        except ECSError as exc:
            assert is_missing_call(exc), exc
            return
        for ns in ("lab-a", "lab-b"):
            single = client.get_namespace_usage(ns)
            assert usages[ns].size_bytes == single.size_bytes == 3 * 1024 * 1024
            assert set(usages[ns].buckets) == set(single.buckets) == {f"{ns}-b"}
        assert "absent" not in usages


def test_local_vdc_and_bucket_lock_work_or_are_missing(sim: SimulatorHandle) -> None:
    with make(sim) as client:
        client.create_namespace("lab")
        client.create_bucket("lab", "b1")
        try:
            vdc = client.local_vdc()
            assert vdc.id
        except ECSError as exc:
            assert is_missing_call(exc), exc
        try:
            client.set_bucket_lock("lab", "b1", True)
            client.set_bucket_lock("lab", "b1", False)
        except ECSError as exc:
            assert is_missing_call(exc), exc


def test_billing_times_from_the_simulator(sim: SimulatorHandle) -> None:
    with make(sim) as client:
        client.create_namespace("lab")
        client.create_bucket("lab", "b1")
        usage = client.get_bucket_usage("lab", "b1")
        assert usage.sample_time is not None and usage.sample_time.tzinfo is not None
        assert usage.uptodate_till is not None
