"""The simulated cluster's data and its JSON persistence.

Everything here is plain dicts so a snapshot is one ``json.dumps`` away; callers hold the
simulator lock while touching it.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

DEFAULT_CAPACITY = {"total_provisioned_gb": 10240, "total_free_gb": 9216}


def rg_urn(name: str) -> str:
    """A stable URN per group name, so ids survive a restart with ``--state``."""
    return f"urn:storageos:ReplicationGroupInfo:{uuid.uuid5(uuid.NAMESPACE_URL, 'ecs-sim-rg/' + name)}:global"


def make_replication_group(name: str) -> dict[str, Any]:
    vdc = uuid.uuid5(uuid.NAMESPACE_URL, "ecs-sim-vdc")
    varray = uuid.uuid5(uuid.NAMESPACE_URL, "ecs-sim-varray/" + name)
    return {
        "id": rg_urn(name), "name": name, "description": "",
        "varrayMappings": [{"name": f"urn:storageos:VirtualDataCenterData:{vdc}",
                            "value": f"urn:storageos:VirtualArray:{varray}"}],
        "isAllowAllNamespaces": True, "enable_rebalancing": True, "isFullRep": False,
        "creation_time": 1700000000000, "inactive": False,
        "global": None, "remote": None, "vdc": None, "tags": [],
    }


class State:
    """Namespaces, buckets (with quota and injected usage), object users, capacity."""

    def __init__(self, replication_groups: list[str]) -> None:
        self.rg_names = list(replication_groups) or ["rg1"]
        self.reset()

    def reset(self) -> None:
        self.namespaces: dict[str, dict[str, Any]] = {}
        self.buckets: dict[str, dict[str, dict[str, Any]]] = {}  # namespace -> name -> bucket
        self.users: dict[str, dict[str, Any]] = {}  # userid -> user (with its keys)
        self.capacity = dict(DEFAULT_CAPACITY)
        self.replication_groups = [make_replication_group(n) for n in self.rg_names]

    def rg_by_id(self, urn: str) -> dict[str, Any] | None:
        return next((rg for rg in self.replication_groups if rg["id"] == urn), None)

    def to_dict(self) -> dict[str, Any]:
        return {"namespaces": self.namespaces, "buckets": self.buckets, "users": self.users,
                "capacity": self.capacity, "replication_groups": self.replication_groups}

    def load_dict(self, data: dict[str, Any]) -> None:
        self.namespaces = data.get("namespaces", {})
        self.buckets = data.get("buckets", {})
        self.users = data.get("users", {})
        self.capacity = data.get("capacity", dict(DEFAULT_CAPACITY))
        known = {rg["id"] for rg in self.replication_groups}
        for rg in data.get("replication_groups", []):
            if rg.get("id") not in known:
                self.replication_groups.append(rg)


class Persister:
    """Debounced atomic saves: state-changing calls mark it dirty, one thread writes at most every 0.2 s."""

    def __init__(self, path: str, snapshot: Any) -> None:
        self.path = Path(path)
        self._snapshot = snapshot  # callable returning a JSON string, taken under the simulator lock
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ecs-sim-persist", daemon=True)
        self._thread.start()

    def load(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        return json.loads(self.path.read_text(encoding="utf-8") or "{}")

    def mark_dirty(self) -> None:
        self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(0.5):
                self._stop.wait(0.2)
                self.flush()

    def flush(self) -> None:
        self._dirty.clear()
        text = self._snapshot()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        self._stop.set()
        self.flush()
