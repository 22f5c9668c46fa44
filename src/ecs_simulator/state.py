"""The simulated cluster's data: plain dicts, so a snapshot is one ``json.dumps`` away.

Callers hold the simulator lock while touching it. Persistence lives in ``persist``.
"""

from __future__ import annotations

import uuid
from typing import Any

DEFAULT_CAPACITY = {"total_provisioned_gb": 10240, "total_free_gb": 9216}
VDC_PREFIX = "urn:storageos:VirtualDataCenterData:"


def rg_urn(name: str) -> str:
    """A stable URN per group name, so ids survive a restart with ``--state``."""
    return f"urn:storageos:ReplicationGroupInfo:{uuid.uuid5(uuid.NAMESPACE_URL, 'ecs-sim-rg/' + name)}:global"


def vdc_urn(value: str | None) -> str:
    """``urn:storageos:VirtualDataCenterData:<uuid>`` from a uuid or such a URN; a random one for None."""
    if not value:
        return VDC_PREFIX + str(uuid.uuid4())
    raw = value.removeprefix(VDC_PREFIX)
    try:
        return VDC_PREFIX + str(uuid.UUID(raw))
    except ValueError:
        raise ValueError(f"VDC id must be a uuid or {VDC_PREFIX}<uuid>, got {value!r}") from None


def make_replication_group(name: str, vdc_id: str) -> dict[str, Any]:
    varray = uuid.uuid5(uuid.NAMESPACE_URL, "ecs-sim-varray/" + name)
    return {
        "id": rg_urn(name),
        "name": name,
        "description": "",
        "varrayMappings": [{"name": vdc_id, "value": f"urn:storageos:VirtualArray:{varray}"}],
        "isAllowAllNamespaces": True,
        "enable_rebalancing": True,
        "isFullRep": False,
        "creation_time": 1700000000000,
        "inactive": False,
        "global": None,
        "remote": None,
        "vdc": None,
        "tags": [],
    }


class State:
    """Namespaces, buckets (with quota, lock and injected usage), object users, capacity, VDC identity."""

    def __init__(self, replication_groups: list[str], vdc_id: str | None = None, vdc_name: str | None = None) -> None:
        self.rg_names = list(replication_groups) or ["rg1"]
        self.vdc = {"id": vdc_urn(vdc_id), "name": vdc_name or "vdc1"}
        self._vdc_given = (vdc_id is not None, vdc_name is not None)
        self.reset()

    def reset(self) -> None:
        """An empty ECS; the VDC identity stays (it is the cluster's, not its data's)."""
        self.namespaces: dict[str, dict[str, Any]] = {}
        self.buckets: dict[str, dict[str, dict[str, Any]]] = {}  # namespace -> name -> bucket
        self.users: dict[str, dict[str, Any]] = {}  # userid -> user (with its keys)
        self.capacity: dict[str, float] = dict(DEFAULT_CAPACITY)
        self.replication_groups = [make_replication_group(n, self.vdc["id"]) for n in self.rg_names]

    def rg_by_id(self, urn: str) -> dict[str, Any] | None:
        return next((rg for rg in self.replication_groups if rg["id"] == urn), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespaces": self.namespaces,
            "buckets": self.buckets,
            "users": self.users,
            "capacity": self.capacity,
            "replication_groups": self.replication_groups,
            "vdc": self.vdc,
        }

    def load_dict(self, data: dict[str, Any]) -> None:
        """Adopt a saved state (already checked by ``persist.check_state``); command-line VDC values win."""
        saved_vdc = data.get("vdc") or {}
        if not self._vdc_given[0] and saved_vdc.get("id"):
            self.vdc["id"] = vdc_urn(saved_vdc["id"])
        if not self._vdc_given[1] and saved_vdc.get("name"):
            self.vdc["name"] = saved_vdc["name"]
        self.reset()
        self.namespaces = data.get("namespaces", {})
        self.buckets = data.get("buckets", {})
        for name in self.namespaces:
            self.buckets.setdefault(name, {})
        self.users = data.get("users", {})
        self.capacity = data.get("capacity", dict(DEFAULT_CAPACITY))
        known = {rg["id"] for rg in self.replication_groups}
        for rg in data.get("replication_groups", []):
            if rg.get("id") not in known:
                self.replication_groups.append(rg)
