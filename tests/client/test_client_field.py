"""ECS as it is in the field (issue 9): 302 for a dead token, the token cap, 503/6000, missing calls,
and the per-request deadline, against the scripted loopback stub."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from client.ecs_stub import PASSWORD, Reply, Seen, Stub, client, running_stub
from coldfront_ecs_plugin.ecs import (
    ECSAuthError,
    ECSBadRequest,
    ECSError,
    ECSForbidden,
    ECSNotFound,
    ECSTooManyTokens,
    ECSUnavailable,
    is_missing_call,
)

CAPACITY = {"totalProvisioned_gb": 750, "totalFree_gb": 500}
TOO_MANY = {
    "code": 4000,
    "description": "Max number of tokens exceeded for this user",
    "details": "Max number of tokens exceeded for this user",
    "retryable": False,
}
NS = {"id": "ns1", "name": "ns1", "blockSize": -1, "notificationSize": -1}


@pytest.fixture
def stub() -> Iterator[Stub]:
    with running_stub() as state:
        yield state


# -- expired token as 302 --------------------------------------------------------------------
def test_302_to_login_is_one_relogin_and_never_followed(stub: Stub) -> None:
    def capacity(seen: Seen) -> Reply:
        if seen.headers.get("x-sds-auth-token") == "TKN-2-SECRET":
            return (200, CAPACITY)
        return (302, None, {"Location": f"{stub.base_url}/login?using-cookies=true"})

    stub.on("GET /object/capacity", capacity)
    with client(stub) as c:
        assert c.get_capacity().total_free_gb == 500
        assert c.request_count == 4  # login, 302, login, resend
    logins = stub.calls("GET /login")
    assert len(logins) == 2 and all(s.headers["authorization"].startswith("Basic ") for s in logins)


def test_302_after_relogin_is_an_auth_error_not_a_loop(stub: Stub) -> None:
    stub.on("GET /object/capacity", (302, None, {"Location": "/login"}))
    with client(stub) as c, pytest.raises(ECSAuthError) as info:
        c.get_capacity()
    assert not isinstance(info.value, ECSTooManyTokens)
    assert stub.tokens_issued == 2 and len(stub.calls("GET /object/capacity")) == 2


# -- the token cap ---------------------------------------------------------------------------
def test_too_many_tokens_at_login_says_what_and_what_to_do(stub: Stub) -> None:
    stub.on("GET /login", (401, TOO_MANY))
    with client(stub) as c, pytest.raises(ECSTooManyTokens) as info:
        c.get_capacity()
    message = str(info.value)
    assert isinstance(info.value, ECSAuthError)
    assert "maximum number of tokens" in message and "Log out" in message and "expire" in message
    assert "rejected the credentials" not in message and PASSWORD not in message
    assert info.value.http_status == 401 and info.value.code == 4000
    assert c.request_count == 1  # no retry: more logins would not free a token


def test_too_many_tokens_on_relogin_during_a_call(stub: Stub) -> None:
    issued = {"n": 0}

    def login(_seen: Seen) -> Reply:
        issued["n"] += 1
        return (200, {}, {"X-SDS-AUTH-TOKEN": "TKN-1-SECRET"}) if issued["n"] == 1 else (401, TOO_MANY)

    stub.on("GET /login", login)
    stub.on("GET /object/capacity", (401, {"code": 4000, "description": "Invalid token"}))
    with client(stub) as c, pytest.raises(ECSTooManyTokens) as info:
        c.get_capacity()
    assert "SECRET" not in str(info.value)


def test_bad_password_is_still_rejected_credentials(stub: Stub) -> None:
    stub.on("GET /login", (401, {"code": 4000, "description": "Invalid credentials"}))
    with client(stub) as c, pytest.raises(ECSAuthError) as info:
        c.get_capacity()
    assert not isinstance(info.value, ECSTooManyTokens) and "rejected the credentials" in str(info.value)


def test_a_login_left_unanswered_is_not_sent_again(stub: Stub) -> None:
    """A hung ECS costs one timeout, not one per retry, and no further late-issued tokens."""
    stub.on("GET /login", _slow(10.0, (200, {}, {"X-SDS-AUTH-TOKEN": "TKN-1-SECRET"})))
    with client(stub, timeout=0.3, retries=3) as c, pytest.raises(ECSUnavailable) as info:
        c.get_capacity()
    assert "no answer within 0.3s; not sent again" in str(info.value)
    assert len(stub.calls("GET /login")) == 1
    assert stub.calls("GET /object/capacity") == []


def test_a_login_answered_503_is_retried(stub: Stub) -> None:
    answers = iter([OVERLOADED, (200, {}, {"X-SDS-AUTH-TOKEN": "TKN-1-SECRET"})])
    stub.on("GET /login", lambda _seen: next(answers))
    stub.on("GET /object/capacity", (200, CAPACITY))
    with client(stub, retries=3) as c:
        assert c.get_capacity().total_free_gb == 500
    assert len(stub.calls("GET /login")) == 2


# -- overloaded ECS (503, code 6000) ---------------------------------------------------------
OVERLOADED = (503, {"code": 6000, "description": "Service unavailable, try again later", "retryable": True})


def test_503_6000_read_is_retried_with_backoff(stub: Stub) -> None:
    answers = iter([OVERLOADED, OVERLOADED, (200, CAPACITY)])
    stub.on("GET /object/capacity", lambda _s: next(answers))
    with client(stub, retries=3, backoff=0.05) as c:
        started = time.monotonic()
        assert c.get_capacity().total_provisioned_gb == 750
        assert time.monotonic() - started >= 0.05  # two backoff sleeps of at least 0.025 s and 0.05 s
    assert len(stub.calls("GET /object/capacity")) == 3


def test_503_6000_on_create_is_checked_then_resent(stub: Stub) -> None:
    answers = iter([OVERLOADED, (200, NS)])
    stub.on("POST /object/namespaces/namespace", lambda _s: next(answers))
    stub.on("GET /object/namespaces/namespace/ns1", (400, {"code": 1004}))
    with client(stub, retries=2) as c:
        assert c.create_namespace("ns1").name == "ns1"
    assert len(stub.calls("POST /object/namespaces/namespace")) == 2
    assert len(stub.calls("GET /object/namespaces/namespace/ns1")) == 1


def test_503_6000_exhausted_is_unavailable(stub: Stub) -> None:
    stub.on("GET /object/capacity", OVERLOADED)
    with client(stub, retries=1) as c, pytest.raises(ECSUnavailable):
        c.get_capacity()
    assert len(stub.calls("GET /object/capacity")) == 2


# -- "no such call" --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "missing", "kind"),
    [
        ((404, {"code": 2000, "description": "no route"}), True, ECSNotFound),
        ((404, None), True, ECSNotFound),
        ((404, "<html><body>Not Found</body></html>"), True, ECSNotFound),
        ((405, {"code": 1007}), True, ECSBadRequest),
        ((415, None), True, ECSBadRequest),
        ((501, None), True, ECSUnavailable),
        ((404, {"code": 1004}), False, ECSNotFound),
        ((400, {"code": 1004}), False, ECSNotFound),
        ((400, {"code": 1013}), False, ECSBadRequest),
        ((403, {"code": 3000}), False, ECSForbidden),
    ],
)
def test_is_missing_call(stub: Stub, reply: Reply, missing: bool, kind: type) -> None:
    stub.on("POST /object/billing/buckets/ns1/info", reply)
    with client(stub) as c, pytest.raises(kind) as info:
        c.get_bucket_usages("ns1", ["b1"])
    assert is_missing_call(info.value) is missing


def test_is_missing_call_is_false_for_other_failures(stub: Stub) -> None:
    stub.on("GET /object/capacity", (500, {"code": 7000}))
    with client(stub, retries=0) as c, pytest.raises(ECSUnavailable) as info:
        c.get_capacity()
    assert not is_missing_call(info.value)
    assert not is_missing_call(ValueError("x"))
    assert not is_missing_call(ECSNotFound("replication group 'x' not found"))
    assert not is_missing_call(ECSError("no status"))


# -- per-request deadline --------------------------------------------------------------------
def _slow(seconds: float, reply: Reply) -> Any:
    def answer(_seen: Seen) -> Reply:
        time.sleep(seconds)
        return reply

    return answer


def test_deadline_shortens_the_request_timeout(stub: Stub) -> None:
    stub.on("GET /object/capacity", _slow(10.0, (200, CAPACITY)))
    with client(stub, timeout=30.0, retries=3) as c:
        c.login()
        started = time.monotonic()
        with c.deadline(0.4), pytest.raises(ECSUnavailable, match="deadline exceeded"):
            c.get_capacity()
        assert time.monotonic() - started < 5.0  # generous for a busy machine: without the deadline, 10 s
        assert c.deadline_at is None  # restored on exit
    assert len(stub.calls("GET /object/capacity")) == 1  # no retry starts past the deadline


def test_no_retry_starts_past_the_deadline(stub: Stub) -> None:
    stub.on("GET /object/capacity", OVERLOADED)
    with client(stub, retries=10, backoff=0.2) as c:
        c.login()
        with c.deadline(0.3), pytest.raises(ECSUnavailable, match="deadline exceeded"):
            c.get_capacity()
    assert 1 <= len(stub.calls("GET /object/capacity")) <= 3


def test_deadline_already_past_sends_nothing(stub: Stub) -> None:
    stub.on("GET /object/capacity", (200, CAPACITY))
    c = client(stub, deadline_at=time.monotonic() - 1)
    with pytest.raises(ECSUnavailable, match="deadline exceeded"):
        c.get_capacity()
    with pytest.raises(ECSUnavailable, match="deadline exceeded"):
        c.create_namespace("ns1")  # a write that never left is not reported as "outcome unknown"
    assert c.request_count == 0
    c.deadline_at = None
    assert c.get_capacity().total_free_gb == 500
    c.close()


def test_deadlines_nest_and_the_tighter_wins(stub: Stub) -> None:
    with client(stub) as c:
        with c.deadline(60) as outer:
            with c.deadline(1) as inner:
                assert inner < outer and c.deadline_at == inner
            with c.deadline(120) as looser:
                assert looser == outer
            assert c.deadline_at == outer
        assert c.deadline_at is None


def test_write_reconciliation_stops_at_the_deadline(stub: Stub) -> None:
    stub.on("POST /object/bucket", _slow(0.3, (500, {"code": 7000})))
    stub.on("GET /object/bucket/b1/info", _slow(0.3, (400, {"code": 1004})))
    with client(stub, retries=10, backoff=0.05, timeout=5.0) as c:
        c.login()
        started = time.monotonic()
        with c.deadline(1.0), pytest.raises(ECSUnavailable):
            c.create_bucket("ns1", "b1")
        assert time.monotonic() - started < 4.0  # generous for a busy machine: without the deadline, over 6 s
    assert len(stub.calls("POST /object/bucket")) <= 2
