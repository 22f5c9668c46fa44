"""Bad requests get ECS-style 4xx answers, never a 500 or a hang: types, media type, lengths, chunked."""

from __future__ import annotations

import socket
import ssl
import time

import pytest
import requests

from harness.simulator import admin_session


def _raw(sim, head: str, body: bytes = b"", read_timeout: float = 5.0) -> bytes:
    """One raw HTTP/1.1 exchange over TLS; returns what the server sent before closing or timing out."""
    ctx = ssl.create_default_context(cafile=sim.ca_path)
    host, port = sim.host_port.rsplit(":", 1)
    with (
        socket.create_connection((host, int(port)), timeout=read_timeout) as raw,
        ctx.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        out = b""
        try:
            while b"\r\n\r\n" not in out or len(out) < out.index(b"\r\n\r\n") + 4 + _length(out):
                chunk = tls.recv(65536)
                if not chunk:
                    break
                out += chunk
        except TimeoutError:
            pass
        return out


def _length(out: bytes) -> int:
    for line in out.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def _token(sim) -> str:
    return admin_session(sim).headers["X-SDS-AUTH-TOKEN"]


@pytest.mark.parametrize(
    "body",
    [
        {"namespace": ["ns"]},
        {"namespace": {"a": 1}},
        {"namespace": "ok1", "allowed_vpools_list": {"x": 1}},
        {"namespace": "ok2", "namespace_admins": 5},
        {"namespace": "ok3", "user_mapping": "x"},
        {"namespace": "ok4", "is_encryption_enabled": [True]},
        {"namespace": "ok5", "default_bucket_block_size": "big"},
    ],
)
def test_wrong_types_in_namespace_create_are_400(ecs, body) -> None:
    status, reply = ecs("POST", "/object/namespaces/namespace", body)
    assert status == 400 and reply["code"] in (1005, 1008)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/object/bucket", {"name": "b", "namespace": ["ns1"]}),
        ("/object/bucket", {"name": "b", "namespace": "ns1", "head_type": 3}),
        ("/object/bucket", {"name": "b", "namespace": "ns1", "TagSet": "x"}),
        ("/object/bucket", {"name": "b", "namespace": "ns1", "retention": "forever"}),
        ("/object/users", {"user": ["u"], "namespace": "ns1"}),
        ("/object/users/deactivate", {"user": {"u": 1}, "namespace": "ns1"}),
        ("/object/billing/buckets/ns1/info", {"id": {"b": 1}}),
        ("/object/billing/namespace/info", {"id": [1, 2]}),
        ("/object/namespaces/namespace", [1, 2]),
    ],
)
def test_wrong_types_elsewhere_are_4xx(ecs, path, body) -> None:
    assert ecs("POST", "/object/namespaces/namespace", {"namespace": "ns1"})[0] == 200
    status, reply = ecs("POST", path, body)
    assert 400 <= status < 500 and "code" in reply, (status, reply)


def test_non_json_content_type_is_415(sim) -> None:
    s = admin_session(sim)
    r = s.post(
        sim.base_url + "/object/namespaces/namespace",
        data="<namespace>x</namespace>",
        headers={"Content-Type": "application/xml"},
        timeout=5,
    )
    assert r.status_code == 415 and r.json()["code"] == 1003
    ok = s.post(
        sim.base_url + "/object/namespaces/namespace",
        data='{"namespace": "j"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=5,
    )
    assert ok.status_code == 200


def test_oversized_body_is_413_without_reading_it(sim) -> None:
    head = (
        f"POST /object/namespaces/namespace HTTP/1.1\nHost: x\nX-SDS-AUTH-TOKEN: {_token(sim)}\n"
        "Content-Type: application/json\nContent-Length: 300000000\n"
    )
    started = time.monotonic()
    answer = _raw(sim, head, b'{"namespace": "')  # the 300 MB never come
    assert answer.startswith(b"HTTP/1.1 413") and b'"code":1013' in answer
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("length", ["abc", "-5", "1, 2"])
def test_bad_content_length_is_400(sim, length) -> None:
    head = f"POST /object/namespaces/namespace HTTP/1.1\nHost: x\nContent-Length: {length}\n"
    assert _raw(sim, head).startswith(b"HTTP/1.1 400")


def test_chunked_bodies(sim) -> None:
    head = (
        f"POST /object/namespaces/namespace HTTP/1.1\nHost: x\nX-SDS-AUTH-TOKEN: {_token(sim)}\n"
        "Content-Type: application/json\nTransfer-Encoding: chunked\n"
    )
    body = b'{"namespace":'
    rest = b' "chunky"}'
    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body, len(rest), rest)
    assert _raw(sim, head, chunks).startswith(b"HTTP/1.1 200")
    assert "chunky" in sim.control("GET", "/_sim/state")["namespaces"]
    assert _raw(sim, head, b"zz\r\nxx\r\n0\r\n\r\n").startswith(b"HTTP/1.1 400")
    huge = b"".join(b"%x\r\n%s\r\n" % (65536, b"x" * 65536) for _ in range(20))  # 1.25 MiB > 1 MiB
    assert _raw(sim, head, huge).startswith(b"HTTP/1.1 413")


def test_nan_and_deep_json_are_400(ecs) -> None:
    assert (
        ecs(
            "POST",
            "/object/namespaces/namespace",
            data='{"namespace": NaN}',
            headers={"Content-Type": "application/json"},
        )[0]
        == 400
    )
    deep = "[" * 100000 + "]" * 100000
    assert (
        ecs("POST", "/object/namespaces/namespace", data=deep, headers={"Content-Type": "application/json"})[0] == 400
    )


def test_fault_rate_one_fails_every_call_even_slow_ones(sim) -> None:
    s = admin_session(sim)
    sim.faults(fail_rate=1.0, kinds=["slow"], slow_ms=100)
    for _ in range(3):
        with pytest.raises(requests.ConnectionError):
            s.get(sim.base_url + "/object/capacity", timeout=5)  # a patient client still gets no answer
        s = admin_session(sim, token=s.headers["X-SDS-AUTH-TOKEN"])
    sim.faults()
