"""The local VDC (a stable identity per endpoint) and bucket locks, as ECS answers them."""

from __future__ import annotations

import re

import requests

from harness.simulator import admin_session

URN = re.compile(r"^urn:storageos:VirtualDataCenterData:[0-9a-f-]{36}$")


def test_local_vdc_shape_and_auth(sim, ecs) -> None:
    status, vdc = ecs("GET", "/object/vdcs/vdc/local")
    assert status == 200 and URN.match(vdc["vdcId"]) and vdc["id"] == vdc["vdcId"]
    assert vdc["vdcName"] == vdc["name"] == "vdc1"
    assert vdc["permanentlyFailed"] is False and vdc["local"] is True
    assert vdc["interVdcEndPoints"] == vdc["managementEndPoints"] == "127.0.0.1"
    assert sim.control("GET", "/_sim/state")["vdc"] == {"id": vdc["vdcId"], "name": "vdc1"}
    rg = ecs("GET", "/vdc/data-service/vpools")[1]["data_service_vpool"][0]
    assert rg["varrayMappings"][0]["name"] == vdc["vdcId"]
    anonymous = requests.get(sim.base_url + "/object/vdcs/vdc/local", verify=sim.ca_path, timeout=5)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 4000
    sim.reset()  # also drops every token
    after = admin_session(sim).get(sim.base_url + "/object/vdcs/vdc/local", timeout=5).json()
    assert after["vdcId"] == vdc["vdcId"]  # the identity survives a reset


def test_bucket_lock_round_trip(sim, ecs) -> None:
    assert ecs("POST", "/object/namespaces/namespace", {"namespace": "ns1"})[0] == 200
    assert ecs("POST", "/object/bucket", {"name": "b1", "namespace": "ns1"})[0] == 200
    assert ecs("GET", "/object/bucket/b1/lock", params={"namespace": "ns1"}) == (
        200,
        {"bucket_name": "b1", "isLocked": False},
    )
    assert ecs("PUT", "/object/bucket/b1/lock/true", {"namespace": "ns1"}) == (200, None)
    assert ecs("GET", "/object/bucket/b1/lock", params={"namespace": "ns1"})[1]["isLocked"] is True
    assert ecs("GET", "/object/bucket/b1/info", params={"namespace": "ns1"})[1]["locked"] is True
    assert sim.control("GET", "/_sim/state")["buckets"]["ns1"]["b1"]["locked"] is True
    assert ecs("PUT", "/object/bucket/b1/lock/False", params={"namespace": "ns1"}) == (200, None)  # query form
    assert ecs("GET", "/object/bucket/b1/info", params={"namespace": "ns1"})[1]["locked"] is False
    status, body = ecs("PUT", "/object/bucket/b1/lock/maybe", {"namespace": "ns1"})
    assert (status, body["code"]) == (400, 1008)
    status, body = ecs("PUT", "/object/bucket/ghost/lock/true", {"namespace": "ns1"})
    assert (status, body["code"]) == (400, 1004)
    assert sim.stats()["by_endpoint"]["PUT /object/bucket/{bucket}/lock/{locked}"] == 4


def test_lock_needs_an_admin(sim, ecs) -> None:
    ecs("POST", "/object/namespaces/namespace", {"namespace": "ns1"})
    ecs("POST", "/object/bucket", {"name": "b1", "namespace": "ns1"})
    sim.control("POST", "/_sim/mgmt-users", {"user": "mon", "password": "pw", "roles": ["SYSTEM_MONITOR"]})
    sim.user, sim.password = "mon", "pw"
    try:
        monitor = admin_session(sim)
    finally:
        sim.user, sim.password = "admin", "ChangeMe"
    url = sim.base_url + "/object/bucket/b1/lock"
    assert monitor.get(url, params={"namespace": "ns1"}, timeout=5).status_code == 200
    refused = monitor.put(url + "/true", json={"namespace": "ns1"}, timeout=5)
    assert refused.status_code == 403 and refused.json()["code"] == 3000
