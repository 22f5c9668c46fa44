"""Token rules as on ECS: bad credentials, expiry after --token-ttl, at most 100 live tokens, logout."""

from __future__ import annotations

import time

import requests

from harness.simulator import start_simulator


def _get(handle, path: str, token: str | None = None, **kw) -> requests.Response:
    headers = {"Accept": "application/json"}
    if token:
        headers["X-SDS-AUTH-TOKEN"] = token
    return requests.get(handle.base_url + path, headers=headers, verify=handle.ca_path, timeout=5, **kw)


def _login(handle) -> str:
    response = _get(handle, "/login", auth=(handle.user, handle.password))
    assert response.status_code == 200, response.text
    return response.headers["X-SDS-AUTH-TOKEN"]


def test_bad_credentials_and_missing_token(sim) -> None:
    assert _get(sim, "/login", auth=("admin", "wrong")).status_code == 401
    response = _get(sim, "/object/namespaces")
    assert response.status_code == 401 and response.json()["code"] == 4000
    assert _get(sim, "/object/namespaces", token="forged").json()["code"] == 4000


def test_token_expires_after_ttl(tmp_path) -> None:
    handle = start_simulator(tmp_path / "ca.pem", "--token-ttl", "0.5")
    try:
        token = _login(handle)
        assert _get(handle, "/user/whoami", token).status_code == 200
        time.sleep(0.7)
        expired = _get(handle, "/user/whoami", token)
        assert expired.status_code == 401 and expired.json()["code"] == 4000
        assert handle.stats()["active_tokens"] == 0
    finally:
        handle.stop()


def test_hundred_token_cap_and_logout(sim) -> None:
    tokens = [_login(sim) for _ in range(100)]
    refused = _get(sim, "/login", auth=(sim.user, sim.password))
    assert refused.status_code == 401
    body = refused.json()  # ECS CE issue #193: 401, code 4000, this text
    assert body["code"] == 4000 and body["description"] == "Max number of tokens exceeded for this user"
    assert sim.stats()["active_tokens"] == 100 and sim.stats()["logins"] == 100
    assert _get(sim, "/logout", tokens[0]).json() == {"user": sim.user}
    assert _get(sim, "/user/whoami", tokens[0]).status_code == 401
    fresh = _login(sim)  # one slot freed
    assert _get(sim, "/logout", fresh, params={"force": "True"}).status_code == 200
    assert sim.stats()["active_tokens"] == 0
    assert _get(sim, "/user/whoami", tokens[1]).status_code == 401


def test_read_only_role_gets_403(sim) -> None:
    sim.control("POST", "/_sim/mgmt-users", {"user": "monitor", "password": "pw", "roles": ["SYSTEM_MONITOR"]})
    token = requests.get(sim.base_url + "/login", auth=("monitor", "pw"), verify=sim.ca_path, timeout=5).headers[
        "X-SDS-AUTH-TOKEN"
    ]
    assert _get(sim, "/object/namespaces", token).status_code == 200
    response = requests.post(
        sim.base_url + "/object/namespaces/namespace",
        json={"namespace": "x"},
        headers={"X-SDS-AUTH-TOKEN": token},
        verify=sim.ca_path,
        timeout=5,
    )
    assert response.status_code == 403 and response.json()["code"] == 3000
