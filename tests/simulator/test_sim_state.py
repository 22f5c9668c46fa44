"""``--state PATH`` survives a restart (atomic JSON file, saved on change and on SIGTERM)."""

from __future__ import annotations

import json

from harness.simulator import admin_session, start_simulator


def test_state_round_trip(tmp_path) -> None:
    path = tmp_path / "ecs-state.json"
    first = start_simulator(tmp_path / "ca1.pem", "--state", str(path))
    try:
        s = admin_session(first)
        assert s.post(first.base_url + "/object/namespaces/namespace", json={"namespace": "kept"}, timeout=5).ok
        assert s.put(
            first.base_url + "/object/namespaces/namespace/kept/quota",
            json={"blockSize": 3, "notificationSize": 2},
            timeout=5,
        ).ok
        assert s.post(first.base_url + "/object/bucket", json={"name": "b", "namespace": "kept"}, timeout=5).ok
    finally:
        first.stop()
    assert "kept" in json.loads(path.read_text())["namespaces"]
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    second = start_simulator(tmp_path / "ca2.pem", "--state", str(path))
    try:
        s = admin_session(second)
        ns = s.get(second.base_url + "/object/namespaces/namespace/kept", timeout=5).json()
        assert ns["blockSize"] == 3 and ns["notificationSize"] == 2
        buckets = s.get(second.base_url + "/object/bucket", params={"namespace": "kept"}, timeout=5).json()
        assert [b["name"] for b in buckets["object_bucket"]] == ["b"]
        assert buckets["object_bucket"][0]["vpool"] == ns["default_data_services_vpool"]  # stable RG id
    finally:
        second.stop()
