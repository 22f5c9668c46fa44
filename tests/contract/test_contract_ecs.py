"""One contract suite, run with python-ecsclient and with our ECSClient against the simulator over HTTPS.

python-ecsclient is an independent client that ran against real ECS: if both clients read the
simulator the same way, and the raw answers validate against python-ecsclient's JSON schemas,
the simulator speaks ECS and our client speaks it too.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from ecsclient import schemas
from ecsclient.client import Client
from ecsclient.common.exceptions import ECSClientException

from coldfront_ecs_plugin.ecs import ECSClient, ECSError, ECSNotFound, Quota

KB = 1024


def _size_bytes(info: dict[str, Any]) -> int:
    assert info["total_size_unit"] == "KB"
    return round(float(info["total_size"]) * KB)


class PyEcsAdapter:
    """python-ecsclient 1.1.12, validating raw responses against its bundled schemas."""

    name = "python-ecsclient"

    def __init__(self, sim) -> None:
        self.c = Client(
            "3",
            username=sim.user,
            password=sim.password,
            token_endpoint=sim.base_url + "/login",
            ecs_endpoint=sim.base_url,
            verify_ssl=sim.ca_path,
            cache_token=False,
        )

    @staticmethod
    def check(schema: dict, data: Any) -> Any:
        jsonschema.validate(data, schema)
        return data

    def whoami(self) -> str:
        return self.check(schemas.WHOAMI, self.c.user_info.whoami())["common_name"]

    def logout(self) -> None:
        assert self.c.authentication.logout() == {"user": self.c.username}

    def expect_not_found(self, call) -> None:
        with pytest.raises(ECSClientException) as info:
            call()
        assert info.value.http_status == 400 and info.value.ecs_code == 1004

    def expect_unknown_path(self, call, fallback_result) -> None:
        with pytest.raises(ECSClientException) as info:
            call()
        assert info.value.http_status == 404 and int(info.value.ecs_code) == 2000

    # namespaces
    def create_namespace(self, name: str, rg: str) -> dict:
        ns = self.check(schemas.NAMESPACE, self.c.namespace.create(name, default_data_services_vpool=rg))
        return {"name": ns["name"], "rg": ns["default_data_services_vpool"]}

    def get_namespace(self, name: str) -> dict:
        ns = self.check(schemas.NAMESPACE, self.c.namespace.get(name))
        return {
            "name": ns["name"],
            "rg": ns["default_data_services_vpool"],
            "quota": (ns["blockSize"], ns["notificationSize"]),
        }

    def list_namespaces(self) -> list[str]:
        data = self.c.namespace.list()
        if data["namespace"]:
            self.check(schemas.NAMESPACES, data)
        return sorted(n["name"] for n in data["namespace"])

    def delete_namespace(self, name: str) -> None:
        self.c.namespace.delete(name)

    def get_namespace_quota(self, name: str) -> tuple[int, int]:
        q = self.c.namespace.get_namespace_quota(name)
        return q["blockSize"], q["notificationSize"]

    def set_namespace_quota(self, name: str, block: int, notification: int) -> None:
        self.c.namespace.update_namespace_quota(block, notification, name)

    def delete_namespace_quota(self, name: str) -> None:
        self.c.delete(f"object/namespaces/namespace/{name}/quota")  # no wrapper in python-ecsclient

    # buckets
    def create_bucket(self, ns: str, name: str, rg: str) -> None:
        created = self.c.bucket.create(name, replication_group=rg, namespace=ns, head_type="s3")
        self.check(schemas.BUCKET_SHORT, created)
        assert created["id"] == f"{ns}.{name}"

    def list_buckets(self, ns: str, page_size: int = 100) -> list[str]:
        names, marker = [], ""
        while True:
            data = self.check(schemas.BUCKET_LIST, self.c.bucket.list(ns, marker=marker, limit=page_size))
            names += [b["name"] for b in data["object_bucket"]]
            marker = data.get("NextMarker") or ""
            if not marker:
                return names

    def bucket_info(self, ns: str, name: str) -> dict:
        b = self.check(schemas.BUCKET, self.c.bucket.get(name, namespace=ns))
        return {
            "name": b["name"],
            "namespace": b["namespace"],
            "rg": b["vpool"],
            "quota": (b["block_size"], b["notification_size"]),
        }

    def delete_bucket(self, ns: str, name: str) -> None:
        self.c.bucket.delete(name, namespace=ns)

    def get_bucket_quota(self, ns: str, name: str) -> tuple[int, int]:
        q = self.c.bucket.get_quota(name, namespace=ns)
        return q["blockSize"], q["notificationSize"]

    def set_bucket_quota(self, ns: str, name: str, block: int, notification: int) -> None:
        self.c.bucket.set_quota(name, block, notification, namespace=ns)

    def delete_bucket_quota(self, ns: str, name: str) -> None:
        self.c.bucket.delete_quota(name, namespace=ns)

    # usage and capacity
    def bucket_usage(self, ns: str, name: str) -> tuple[int, int]:
        info = self.c.billing.get_bucket_billing_info(name, ns, sizeunit="KB")
        return _size_bytes(info), int(info["total_objects"])

    def bucket_usages(self, ns: str, names: list[str]) -> dict[str, tuple[int, int]]:
        data = self.c.post(f"object/billing/buckets/{ns}/info?sizeunit=KB", json_payload={"id": names})
        return {i["name"]: (_size_bytes(i), int(i["total_objects"])) for i in data["bucket_billing_infos"]}

    def namespace_usage(self, ns: str) -> tuple[int, int, dict[str, tuple[int, int]]]:
        buckets: dict[str, tuple[int, int]] = {}
        marker = None
        while True:
            info = self.c.billing.get_namespace_billing_info(
                ns, sizeunit="KB", include_bucket_detail=True, marker=marker
            )
            buckets.update({b["name"]: (_size_bytes(b), int(b["total_objects"])) for b in info["bucket_billing_info"]})
            marker = info.get("next_marker")
            if not marker:
                return _size_bytes(info), int(info["total_objects"]), buckets

    def capacity(self) -> tuple[float, float]:
        cap = self.check(schemas.CAPACITY, self.c.capacity.get_cluster_capacity())
        return cap["totalProvisioned_gb"], cap["totalFree_gb"]

    def replication_groups(self) -> list[tuple[str, str]]:
        data = self.check(schemas.REPLICATION_GROUPS, self.c.replication_group.list())
        return [(g["id"], g["name"]) for g in data["data_service_vpool"]]

    def replication_group(self, urn: str) -> tuple[str, str]:
        g = self.check(schemas.REPLICATION_GROUP, self.c.replication_group.get(urn))
        return g["id"], g["name"]

    # object users and keys
    def create_user(self, uid: str, ns: str) -> None:
        assert self.c.object_user.create(uid, ns)["link"]["href"].endswith(uid)

    def list_users(self, ns: str | None) -> list[tuple[str, str]]:
        data = self.check(schemas.OBJECT_USERS, self.c.object_user.list(ns))
        return sorted((u["userid"], u["namespace"]) for u in data["blobuser"])

    def delete_user(self, uid: str, ns: str) -> None:
        self.c.object_user.delete(uid, ns)

    def create_key(self, uid: str, ns: str) -> str:
        return self.check(schemas.SECRET_KEY, self.c.secret_key.create(uid, ns))["secret_key"]

    def get_keys(self, uid: str, ns: str) -> list[str]:
        data = self.check(schemas.SECRET_KEYS, self.c.secret_key.get(uid, ns))
        return [k for k in (data["secret_key_1"], data["secret_key_2"]) if k]

    def delete_key(self, uid: str, ns: str, key: str | None = None) -> None:
        self.c.secret_key.delete(uid, ns, secret_key=key)


class OurAdapter:
    """The plugin's own ECSClient, normalised to the same shapes."""

    name = "ECSClient"

    def __init__(self, sim) -> None:
        self.c = ECSClient(sim.base_url, sim.user, sim.password, verify=sim.ca_path, timeout=5, retries=0)

    def whoami(self) -> str:
        return self.c.whoami()["common_name"]

    def logout(self) -> None:
        self.c.close()

    def expect_not_found(self, call) -> None:
        with pytest.raises(ECSNotFound):
            call()

    def expect_unknown_path(self, call, fallback_result) -> None:
        """A missing call (ECS < 3.2) is an ECSError today; a client that falls back must get it right."""
        try:
            result = call()
        except ECSError:
            return
        assert result == fallback_result

    def create_namespace(self, name: str, rg: str) -> dict:
        ns = self.c.create_namespace(name, replication_group_id=rg)
        return {"name": ns.name, "rg": ns.default_replication_group}

    def get_namespace(self, name: str) -> dict:
        ns = self.c.get_namespace(name)
        quota = ns.quota or Quota(-1, -1)
        return {
            "name": ns.name,
            "rg": ns.default_replication_group,
            "quota": (quota.block_size_gb, quota.notification_size_gb),
        }

    def list_namespaces(self) -> list[str]:
        return sorted(ns.name for ns in self.c.list_namespaces(page_size=2))

    def delete_namespace(self, name: str) -> None:
        self.c.delete_namespace(name)

    def get_namespace_quota(self, name: str) -> tuple[int, int]:
        q = self.c.get_namespace_quota(name)
        return q.block_size_gb, q.notification_size_gb

    def set_namespace_quota(self, name: str, block: int, notification: int) -> None:
        self.c.set_namespace_quota(name, block, notification)

    def delete_namespace_quota(self, name: str) -> None:
        self.c.delete_namespace_quota(name)

    def create_bucket(self, ns: str, name: str, rg: str) -> None:
        b = self.c.create_bucket(ns, name, replication_group_id=rg)
        assert b.name == name

    def list_buckets(self, ns: str, page_size: int = 100) -> list[str]:
        return [b.name for b in self.c.list_buckets(ns, page_size=page_size)]

    def bucket_info(self, ns: str, name: str) -> dict:
        b = self.c.get_bucket(ns, name)
        quota = b.quota or Quota(-1, -1)
        return {
            "name": b.name,
            "namespace": b.namespace,
            "rg": b.replication_group,
            "quota": (quota.block_size_gb, quota.notification_size_gb),
        }

    def delete_bucket(self, ns: str, name: str) -> None:
        self.c.delete_bucket(ns, name)

    def get_bucket_quota(self, ns: str, name: str) -> tuple[int, int]:
        q = self.c.get_bucket_quota(ns, name)
        return q.block_size_gb, q.notification_size_gb

    def set_bucket_quota(self, ns: str, name: str, block: int, notification: int) -> None:
        self.c.set_bucket_quota(ns, name, block, notification)

    def delete_bucket_quota(self, ns: str, name: str) -> None:
        self.c.delete_bucket_quota(ns, name)

    def bucket_usage(self, ns: str, name: str) -> tuple[int, int]:
        u = self.c.get_bucket_usage(ns, name)
        return u.size_bytes, u.objects

    def bucket_usages(self, ns: str, names: list[str]) -> dict[str, tuple[int, int]]:
        return {k: (u.size_bytes, u.objects) for k, u in self.c.get_bucket_usages(ns, names).items()}

    def namespace_usage(self, ns: str) -> tuple[int, int, dict[str, tuple[int, int]]]:
        u = self.c.get_namespace_usage(ns, include_buckets=True)
        return u.size_bytes, u.objects, {k: (b.size_bytes, b.objects) for k, b in u.buckets.items()}

    def capacity(self) -> tuple[float, float]:
        cap = self.c.get_capacity()
        return cap.total_provisioned_gb, cap.total_free_gb

    def replication_groups(self) -> list[tuple[str, str]]:
        return [(g.id, g.name) for g in self.c.list_replication_groups()]

    def replication_group(self, urn: str) -> tuple[str, str]:
        g = self.c.get_replication_group(urn)
        return g.id, g.name

    def create_user(self, uid: str, ns: str) -> None:
        assert self.c.create_object_user(uid, ns).userid == uid

    def list_users(self, ns: str | None) -> list[tuple[str, str]]:
        return sorted((u.userid, u.namespace) for u in self.c.list_object_users(ns))

    def delete_user(self, uid: str, ns: str) -> None:
        self.c.delete_object_user(uid, ns)

    def create_key(self, uid: str, ns: str) -> str:
        return self.c.create_secret_key(uid, ns)

    def get_keys(self, uid: str, ns: str) -> list[str]:
        keys = self.c.get_secret_keys(uid, ns)  # hidden (masked) keys are counted, not listed
        return ["********"] * keys.hidden + list(keys.keys)

    def delete_key(self, uid: str, ns: str, key: str | None = None) -> None:
        self.c.delete_secret_key(uid, ns, key)


@pytest.fixture(params=[PyEcsAdapter, OurAdapter], ids=["python-ecsclient", "ECSClient"])
def ecs_adapter(request, sim):
    adapter = request.param(sim)
    yield adapter
    if isinstance(adapter, OurAdapter):
        adapter.c.close()


@pytest.fixture
def rg(ecs_adapter) -> str:
    return ecs_adapter.replication_groups()[0][0]


def test_whoami_and_logout(ecs_adapter, sim) -> None:
    assert ecs_adapter.whoami() == sim.user
    assert sim.stats()["active_tokens"] == 1
    ecs_adapter.logout()
    assert sim.stats()["active_tokens"] == 0


def test_replication_groups(ecs_adapter) -> None:
    groups = ecs_adapter.replication_groups()
    assert [name for _, name in groups] == ["rg1"]
    urn = groups[0][0]
    assert urn.startswith("urn:storageos:ReplicationGroupInfo:") and urn.endswith(":global")
    assert ecs_adapter.replication_group(urn) == groups[0]


def test_namespace_lifecycle(ecs_adapter, rg, sim) -> None:
    assert ecs_adapter.create_namespace("ns1", rg) == {"name": "ns1", "rg": rg}
    for name in ("ns2", "ns3"):
        ecs_adapter.create_namespace(name, rg)
    assert ecs_adapter.list_namespaces() == ["ns1", "ns2", "ns3"]
    assert ecs_adapter.get_namespace("ns1") == {"name": "ns1", "rg": rg, "quota": (-1, -1)}
    ecs_adapter.set_namespace_quota("ns1", 10, 8)
    assert ecs_adapter.get_namespace_quota("ns1") == (10, 8)
    assert ecs_adapter.get_namespace("ns1")["quota"] == (10, 8)
    ecs_adapter.delete_namespace_quota("ns1")
    assert ecs_adapter.get_namespace_quota("ns1") == (-1, -1)
    for name in ("ns1", "ns2", "ns3"):
        ecs_adapter.delete_namespace(name)
    assert ecs_adapter.list_namespaces() == []
    assert sim.control("GET", "/_sim/state")["namespaces"] == {}


def test_missing_namespace_error_model(ecs_adapter) -> None:
    ecs_adapter.expect_not_found(lambda: ecs_adapter.get_namespace("nope"))
    ecs_adapter.expect_not_found(lambda: ecs_adapter.get_namespace_quota("nope"))


def test_bucket_lifecycle(ecs_adapter, rg, sim) -> None:
    ecs_adapter.create_namespace("ns1", rg)
    for name in ("b1", "b2", "b3"):
        ecs_adapter.create_bucket("ns1", name, rg)
    assert ecs_adapter.list_buckets("ns1", page_size=2) == ["b1", "b2", "b3"]
    assert ecs_adapter.bucket_info("ns1", "b1") == {"name": "b1", "namespace": "ns1", "rg": rg, "quota": (-1, -1)}
    ecs_adapter.set_bucket_quota("ns1", "b1", 5, 4)
    assert ecs_adapter.get_bucket_quota("ns1", "b1") == (5, 4)
    assert ecs_adapter.bucket_info("ns1", "b1")["quota"] == (5, 4)
    ecs_adapter.delete_bucket_quota("ns1", "b1")
    assert ecs_adapter.get_bucket_quota("ns1", "b1") == (-1, -1)
    ecs_adapter.expect_not_found(lambda: ecs_adapter.bucket_info("ns1", "missing"))
    for name in ("b1", "b2", "b3"):
        ecs_adapter.delete_bucket("ns1", name)
    assert ecs_adapter.list_buckets("ns1") == []
    ecs_adapter.delete_namespace("ns1")
    assert sim.control("GET", "/_sim/state")["buckets"] == {}


def test_billing_and_capacity(ecs_adapter, rg, sim, profile) -> None:
    ecs_adapter.create_namespace("ns1", rg)
    for name in ("b1", "b2", "empty"):
        ecs_adapter.create_bucket("ns1", name, rg)
    sim.set_usage("ns1", "b1", 10_000_000, 3)
    sim.set_usage("ns1", "b2", 1000, 1)
    assert ecs_adapter.bucket_usage("ns1", "b1") == (10_000_000, 3)
    expected = {"b1": (10_000_000, 3), "b2": (1000, 1), "empty": (0, 0)}
    bulk = lambda: ecs_adapter.bucket_usages("ns1", ["b1", "b2", "empty", "ghost"])  # noqa: E731
    if profile == "ecs-3.1":  # bulk bucket billing arrived in 3.2
        ecs_adapter.expect_unknown_path(bulk, expected)
    else:
        assert bulk() == expected
    total, objects, per_bucket = ecs_adapter.namespace_usage("ns1")
    assert (total, objects) == (10_001_000, 4)
    assert per_bucket == {"b1": (10_000_000, 3), "b2": (1000, 1), "empty": (0, 0)}
    sim.set_capacity(750, 739)
    assert ecs_adapter.capacity() == (750, 739)


def test_namespace_billing_pages_through_bucket_detail(ecs_adapter, rg, sim) -> None:
    ecs_adapter.create_namespace("big", rg)
    names = [f"b{i:03d}" for i in range(105)]  # the simulator pages bucket detail by 100
    for name in names:
        ecs_adapter.create_bucket("big", name, rg)
    sim.set_usage("big", "b104", 2048, 2)
    total, objects, per_bucket = ecs_adapter.namespace_usage("big")
    assert (total, objects) == (2048, 2) and sorted(per_bucket) == names
    assert per_bucket["b104"] == (2048, 2)


def test_object_users_and_secret_keys(ecs_adapter, rg, sim, profile) -> None:
    ecs_adapter.create_namespace("ns1", rg)
    ecs_adapter.create_namespace("ns2", rg)
    ecs_adapter.create_user("alice", "ns1")
    ecs_adapter.create_user("bob", "ns2")
    assert ecs_adapter.list_users(None) == [("alice", "ns1"), ("bob", "ns2")]
    assert ecs_adapter.list_users("ns1") == [("alice", "ns1")]
    first = ecs_adapter.create_key("alice", "ns1")
    assert len(first) == 40
    second = ecs_adapter.create_key("alice", "ns1")
    hidden = profile == "objectscale-4.1"  # 4.x masks keys on read
    keys = ecs_adapter.get_keys("alice", "ns1")
    assert keys == ["********"] * 2 if hidden else keys == [first, second]
    ecs_adapter.delete_key("alice", "ns1", first)
    assert ecs_adapter.get_keys("alice", "ns1") == (["********"] if hidden else [second])
    ecs_adapter.delete_key("alice", "ns1")
    assert ecs_adapter.get_keys("alice", "ns1") == []
    ecs_adapter.delete_user("alice", "ns1")
    assert ecs_adapter.list_users("ns1") == []
    assert list(sim.control("GET", "/_sim/state")["users"]) == ["bob"]
