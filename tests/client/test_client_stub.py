"""Client behaviour against a scripted loopback HTTP stub: wire details, error mapping, malformed bodies.

The simulator covers the happy paths; this stub produces what a faithful simulator would not
(HTML login pages, truncated JSON, XML errors, 302 to /login, tokens that die mid-call).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from client.ecs_stub import PASSWORD, Reply, Seen, Stub, client, running_stub
from coldfront_ecs_plugin.ecs import (
    ECSAlreadyExists,
    ECSAuthError,
    ECSBadRequest,
    ECSClient,
    ECSConfigurationError,
    ECSForbidden,
    ECSMalformedResponse,
    ECSNotFound,
    ECSUnavailable,
    Quota,
)


@pytest.fixture
def stub() -> Iterator[Stub]:
    with running_stub() as state:
        yield state


NS = {
    "id": "ns1",
    "name": "ns1",
    "default_data_services_vpool": "urn:storageos:ReplicationGroupInfo:a:global",
    "blockSize": -1,
    "notificationSize": -1,
}


# -- configuration ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "127.0.0.1",
        "ecs.example.org:4443",
        "ftp://ecs",
        "https://",
        "http://h:4443:4443",
        "https://user:pw@ecs:4443",
        "",
    ],
)
def test_bad_base_url_refused(url: str) -> None:
    with pytest.raises(ECSConfigurationError):
        ECSClient(url, "admin", PASSWORD)


def test_bad_settings_refused_without_leaking_password() -> None:
    for kwargs in ({"api_version": "5"}, {"api_version": "3.8"}):
        with pytest.raises(ECSConfigurationError) as info:
            ECSClient("https://ecs:4443", "admin", PASSWORD, **kwargs)
        assert PASSWORD not in str(info.value)
    with pytest.raises(ECSConfigurationError):
        ECSClient("https://ecs:4443", "", PASSWORD)
    with pytest.raises(ECSConfigurationError):
        ECSClient("https://ecs:4443", "admin", "")
    missing_ca = ECSClient("https://ecs:4443", "admin", PASSWORD, verify="/nonexistent/ca.pem")
    with pytest.raises(ECSConfigurationError):
        missing_ca.get_capacity()
    assert missing_ca.request_count == 0
    for version in ("2", "3", "4"):
        c = ECSClient("https://ecs:4443/", "admin", PASSWORD, api_version=version)
        assert c.base_url == "https://ecs:4443"
        assert PASSWORD not in repr(c)


# -- session ---------------------------------------------------------------------------------
def test_lazy_login_token_reuse_no_whoami_and_logout(stub: Stub) -> None:
    stub.on("GET /object/namespaces/namespace/ns1", (200, NS))
    with client(stub) as c:
        assert stub.seen == []
        for _ in range(5):
            assert c.get_namespace("ns1").name == "ns1"
        assert c.request_count == 6
    assert [s.path for s in stub.seen].count("/login") == 1
    assert not stub.calls("GET /user/whoami")
    tokens = {s.headers.get("x-sds-auth-token") for s in stub.calls("GET /object/namespaces/namespace/ns1")}
    assert tokens == {"TKN-1-SECRET"}
    assert "authorization" not in stub.calls("GET /object/namespaces/namespace/ns1")[0].headers
    assert stub.calls("GET /logout")[0].headers["x-sds-auth-token"] == "TKN-1-SECRET"
    assert c.request_count == 7
    c.close()  # idempotent
    assert len(stub.calls("GET /logout")) == 1


def test_expired_token_relogin_once_then_retry(stub: Stub) -> None:
    def ns(seen: Seen) -> Reply:
        return (200, NS) if seen.headers.get("x-sds-auth-token") == "TKN-2-SECRET" else (401, {"code": 4000})

    stub.on("GET /object/namespaces/namespace/ns1", ns)
    with client(stub) as c:
        assert c.get_namespace("ns1").name == "ns1"
        assert c.request_count == 4  # login, 401, login, retry


def test_redirect_to_login_counts_as_expired(stub: Stub) -> None:
    def ns(seen: Seen) -> Reply:
        if seen.headers.get("x-sds-auth-token") == "TKN-2-SECRET":
            return (200, NS)
        return (302, None, {"Location": f"{stub.base_url}/login"})

    stub.on("GET /object/namespaces/namespace/ns1", ns)
    with client(stub) as c:
        assert c.get_namespace("ns1").name == "ns1"


def test_401_after_relogin_is_auth_error(stub: Stub) -> None:
    stub.on("GET /object/capacity", (401, {"code": 4000, "description": "Invalid credentials"}))
    with client(stub) as c, pytest.raises(ECSAuthError) as info:
        c.get_capacity()
    assert stub.tokens_issued == 2
    assert "SECRET" not in str(info.value) and PASSWORD not in str(info.value)


def test_bad_credentials(stub: Stub) -> None:
    stub.on("GET /login", (401, {"code": 4000, "description": "Invalid credentials"}))
    with client(stub) as c, pytest.raises(ECSAuthError) as info:
        c.get_capacity()
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value)
    assert info.value.http_status == 401
    assert c.request_count == 1


def test_login_without_token_header_is_malformed(stub: Stub) -> None:
    stub.on("GET /login", (200, {"user": "admin"}))
    with client(stub) as c, pytest.raises(ECSMalformedResponse):
        c.get_capacity()


# -- error mapping ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "body", "exc"),
    [
        (
            400,
            {"code": 1004, "description": "Request parameter cannot be found", "details": "Unable to find ns1"},
            ECSNotFound,
        ),
        (404, {"code": 2000}, ECSNotFound),
        (400, {"code": 1019}, ECSNotFound),
        (403, {"code": 3000, "description": "forbidden"}, ECSForbidden),
        (400, {"code": 1008, "description": "invalid parameter"}, ECSBadRequest),
        (405, {"code": 1007}, ECSBadRequest),
        (400, "<error><code>1004</code><description>not found</description></error>", ECSNotFound),
    ],
)
def test_error_mapping_carries_ecs_code(stub: Stub, status: int, body: Any, exc: type) -> None:
    stub.on("GET /object/namespaces/namespace/ns1", (status, body))
    with client(stub) as c, pytest.raises(exc) as info:
        c.get_namespace("ns1")
    assert info.value.http_status == status
    assert info.value.code is not None
    if isinstance(body, dict) and "details" in body:
        assert info.value.details == body["details"]


def test_namespace_exists_only_on_definite_answers(stub: Stub) -> None:
    stub.on("GET /object/namespaces/namespace/gone", (400, {"code": 1004}))
    stub.on("GET /object/namespaces/namespace/ns1", (200, NS))
    stub.on("GET /object/namespaces/namespace/denied", (403, {"code": 3000}))
    with client(stub) as c:
        assert c.namespace_exists("ns1") is True
        assert c.namespace_exists("gone") is False
        with pytest.raises(ECSForbidden):
            c.namespace_exists("denied")


@pytest.mark.parametrize(
    "body",
    [
        "<!DOCTYPE html><html><body>Proxy login</body></html>",
        "<cluster_capacity><totalFree_gb>1</totalFree_gb></cluster_capacity>",
        '{"totalProvisioned_gb": 750, "totalFr',
        "[1, 2]",
        "",
        '{"totalProvisioned_gb": 750}',
    ],
)
def test_malformed_2xx(stub: Stub, body: str) -> None:
    stub.on("GET /object/capacity", (200, body))
    with client(stub) as c, pytest.raises(ECSMalformedResponse) as info:
        c.get_capacity()
    assert info.value.path == "/object/capacity"


def test_duplicate_codes_are_already_exists(stub: Stub) -> None:
    stub.on("POST /object/namespaces/namespace", (400, {"code": 1015, "details": "Namespace ns1 already exists"}))
    stub.on("POST /object/bucket", (400, {"code": 40008, "description": "Bucket already exists"}))
    with client(stub) as c:
        with pytest.raises(ECSAlreadyExists):
            c.create_namespace("ns1")
        with pytest.raises(ECSAlreadyExists):
            c.create_bucket("ns1", "b1")


def test_create_refused_with_other_code_but_existing_is_already_exists(stub: Stub) -> None:
    stub.on("POST /object/namespaces/namespace", (400, {"code": 1008, "details": "invalid"}))
    stub.on("GET /object/namespaces/namespace/ns1", (200, NS))
    with client(stub) as c, pytest.raises(ECSAlreadyExists) as info:
        c.create_namespace("ns1")
    assert info.value.code == 1008


# -- wire details ----------------------------------------------------------------------------
def test_create_bodies_and_paths(stub: Stub) -> None:
    rg = "urn:storageos:ReplicationGroupInfo:2ef0a92d:global"
    stub.on("POST /object/namespaces/namespace", (200, {**NS, "default_data_services_vpool": rg}))
    stub.on("POST /object/bucket", (200, {"id": "ns1.b1", "name": "b1"}))
    stub.on(f"GET /vdc/data-service/vpools/{rg}", (200, {"id": rg, "name": "rg1", "description": ""}))
    stub.on("POST /object/bucket/b1/deactivate", (200, None))
    stub.on("POST /object/namespaces/namespace/ns1/deactivate", (200, None))
    stub.on("DELETE /object/bucket/b1/quota", (200, None))
    stub.on("PUT /object/namespaces/namespace/ns1/quota", (200, None))
    with client(stub) as c:
        ns = c.create_namespace(
            "ns1", replication_group_id=rg, user_mapping=[{"domain": "example.org", "groups": ["lab"]}]
        )
        assert ns.default_replication_group == rg
        bucket = c.create_bucket("ns1", "b1", replication_group_id=rg, filesystem_enabled=True, quota=Quota(10, 9))
        assert bucket.quota == Quota(10, 9) and bucket.filesystem_enabled
        assert c.get_replication_group(rg).name == "rg1"
        c.set_namespace_quota("ns1", 10, 9)
        c.delete_bucket_quota("ns1", "b1")
        c.delete_bucket("ns1", "b1")
        c.delete_namespace("ns1")
    assert json.loads(stub.calls("POST /object/namespaces/namespace")[0].body) == {
        "namespace": "ns1",
        "default_data_services_vpool": rg,
        "user_mapping": [{"domain": "example.org", "groups": ["lab"], "attributes": []}],
    }
    assert json.loads(stub.calls("POST /object/bucket")[0].body) == {
        "name": "b1",
        "namespace": "ns1",
        "vpool": rg,
        "filesystem_enabled": True,
        "head_type": "s3",
        "blockSize": 10,
        "notificationSize": 9,
    }
    assert json.loads(stub.calls("PUT /object/namespaces/namespace/ns1/quota")[0].body) == {
        "blockSize": 10,
        "notificationSize": 9,
    }
    delete = stub.calls("DELETE /object/bucket/b1/quota")[0]
    assert delete.headers["accept"] == "*/*" and delete.query == {"namespace": ["ns1"]}
    deactivate = stub.calls("POST /object/bucket/b1/deactivate")[0]
    assert deactivate.body == b"{}" and deactivate.query == {"namespace": ["ns1"]}
    assert deactivate.headers["content-type"] == "application/json"
    assert stub.calls("POST /object/namespaces/namespace/ns1/deactivate")[0].body == b"{}"


def test_billing_queries(stub: Stub) -> None:
    stub.on(
        "GET /object/billing/buckets/ns1/b1/info",
        (
            200,
            {"namespace": "ns1", "name": "b1", "total_size": "6835.9375", "total_size_unit": "KB", "total_objects": 3},
        ),
    )
    stub.on(
        "POST /object/billing/buckets/ns1/info",
        (
            200,
            {
                "bucket_billing_infos": [
                    {"namespace": "ns1", "name": "b1", "total_size": "1", "total_size_unit": "KB", "total_objects": 1}
                ]
            },
        ),
    )

    def ns_billing(seen: Seen) -> Reply:
        marker = seen.query.get("marker", [""])[0]
        page = {"": ("b1", "m1"), "m1": ("b2", "m2"), "m2": ("b3", "")}[marker]
        return (
            200,
            {
                "namespace": "ns1",
                "total_size": "3",
                "total_size_unit": "KB",
                "total_objects": 3,
                "next_marker": page[1],
                "bucket_billing_info": [
                    {
                        "namespace": "ns1",
                        "name": page[0],
                        "total_size": "1",
                        "total_size_unit": "KB",
                        "total_objects": 1,
                    }
                ],
            },
        )

    stub.on("GET /object/billing/namespace/ns1/info", ns_billing)
    with client(stub) as c:
        assert c.get_bucket_usage("ns1", "b1").size_bytes == 7_000_000
        assert set(c.get_bucket_usages("ns1", ["b1", "b2"])) == {"b1"}
        assert c.get_bucket_usages("ns1", []) == {}
        usage = c.get_namespace_usage("ns1")
        assert usage.size_bytes == 3072 and set(usage.buckets) == {"b1", "b2", "b3"}
    assert stub.calls("GET /object/billing/buckets/ns1/b1/info")[0].query == {"sizeunit": ["KB"]}
    bulk = stub.calls("POST /object/billing/buckets/ns1/info")
    assert len(bulk) == 1 and json.loads(bulk[0].body) == {"id": ["b1", "b2"]}
    pages = stub.calls("GET /object/billing/namespace/ns1/info")
    assert len(pages) == 3
    assert all(p.query["include_bucket_detail"] == ["true"] and p.query["sizeunit"] == ["KB"] for p in pages)


# -- retries and ambiguity -------------------------------------------------------------------
def test_reads_retry_5xx_then_unavailable(stub: Stub) -> None:
    stub.on("GET /object/capacity", (503, {"code": 6000, "description": "Service unavailable"}))
    with client(stub, retries=2) as c, pytest.raises(ECSUnavailable) as info:
        c.get_capacity()
    assert len(stub.calls("GET /object/capacity")) == 3
    assert "3 attempt" in str(info.value)


def test_create_after_ambiguous_5xx_is_checked_not_blindly_retried(stub: Stub) -> None:
    created = {"done": False}

    def create(_seen: Seen) -> Reply:
        created["done"] = True
        return (502, "<html>bad gateway</html>")  # ECS applied it, the proxy lost the answer

    stub.on("POST /object/namespaces/namespace", create)
    stub.on("GET /object/namespaces/namespace/ns1", lambda _s: (200, NS) if created["done"] else (400, {"code": 1004}))
    with client(stub) as c:
        assert c.create_namespace("ns1").name == "ns1"
    assert len(stub.calls("POST /object/namespaces/namespace")) == 1


def test_create_unconfirmable_raises_unavailable(stub: Stub) -> None:
    stub.on("POST /object/bucket", (500, {"code": 7000}))
    stub.on("GET /object/bucket/b1/info", (503, {"code": 6000}))
    with client(stub, retries=1) as c, pytest.raises(ECSUnavailable) as info:
        c.create_bucket("ns1", "b1")
    assert "outcome unknown" in str(info.value)
    assert len(stub.calls("POST /object/bucket")) == 1


def test_connection_refused_is_unavailable_quickly() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = ECSClient(f"http://127.0.0.1:{port}", "admin", PASSWORD, retries=2, backoff=0.01, timeout=1)
    with pytest.raises(ECSUnavailable) as info:
        c.create_namespace("ns1")
    assert "3 attempt" in str(info.value)
    assert c.request_count == 3
    c.close()


@pytest.mark.parametrize(
    ("key", "page", "walk"),
    [
        (
            "GET /object/namespaces",
            {"namespace": [{"id": "a", "name": "a"}], "NextMarker": "m1"},
            lambda c: list(c.list_namespaces()),
        ),
        (
            "GET /object/bucket",
            {"object_bucket": [{"name": "b", "namespace": "ns1"}], "NextMarker": "m1"},
            lambda c: list(c.list_buckets("ns1")),
        ),
        (
            "GET /object/users",
            {"blobuser": [{"userid": "u", "namespace": "ns1"}], "NextMarker": "m1"},
            lambda c: c.list_object_users(),
        ),
    ],
)
def test_pagination_that_repeats_a_marker_is_malformed_not_endless(stub: Stub, key: str, page: dict, walk) -> None:
    stub.on(key, (200, page))
    with client(stub) as c, pytest.raises(ECSMalformedResponse, match="repeats a marker"):
        walk(c)
    assert len(stub.calls(key)) == 2
