"""manage.py ecs_check: one line per check, --json, exit status 1 on any failure, and the TLS advice."""

from __future__ import annotations

import hashlib
import io
import ssl

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin import attributes
from harness.simulator import start_simulator
from harness.sync import command_json, ecs_client, make_resource
from harness.world import set_resource_attr
from sync.conftest import profile_sim

pytestmark = pytest.mark.django_db
CHECKS = ["settings", "url", "tls", "login", "replication group", "vdc", "listing", "billing", "logout"]


def check(*args: str) -> tuple[dict, int]:
    return command_json("ecs_check", *args)


def ecs_resource_on(sim, name: str = "ECS checked"):
    resource = make_resource(name, sim.host_port)
    set_resource_attr(resource, attributes.REPLICATION_GROUP, "rg1")
    return resource


def test_a_working_resource_passes_every_check_and_releases_its_token(ecs_types, default_sim):
    ecs_resource_on(default_sim)
    tokens = default_sim.stats()["active_tokens"]

    data, status = check()

    assert status == 0 and data["ok"], data
    assert [c["check"] for c in data["checks"]] == CHECKS
    assert {c["status"] for c in data["checks"]} == {"ok"}
    billing = next(c for c in data["checks"] if c["check"] == "billing")
    assert "bulk namespace billing" in billing["detail"]
    assert default_sim.stats()["active_tokens"] == tokens


def test_one_line_per_check_and_exit_status_one(ecs_types, default_sim, settings):
    ecs_resource_on(default_sim)
    settings.ECS_PASS = "wrong"
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("ecs_check", stdout=out)
    assert raised.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["OK", "OK", "OK", "FAIL"]
    assert "ECS_USER and ECS_PASS" in lines[-1]


def test_old_ecs_capabilities_are_reported(ecs_types, profile_sims, tmp_path_factory):
    sim = profile_sim("ecs-3.1", profile_sims, tmp_path_factory)
    ecs_resource_on(sim)
    with ecs_client(sim) as client:  # one namespace, so the listing's shape is known
        client.create_namespace("probe-ns", replication_group_id=client.replication_group_id("rg1"))

    data, status = check()

    assert status == 0, data
    by = {c["check"]: c for c in data["checks"]}
    assert "carries no quotas" in by["listing"]["detail"]
    assert by["billing"]["status"] == "warn"
    assert by["billing"]["detail"] == (
        "ecs_sync reads usage with namespace billing (no bulk namespace billing, no bulk bucket billing)"
    )


def test_missing_replication_group_and_unknown_resource_fail(ecs_types, default_sim):
    make_resource("ECS no group", default_sim.host_port)
    data, status = check("--resource", "ECS no group", "--resource", "nope")
    assert status == 1
    failed = [c for c in data["checks"] if c["status"] == "fail"]
    assert [c["check"] for c in failed] == ["resource", "replication group"]
    assert "no resource named 'nope'" in failed[0]["detail"]


def test_localhost_certificate_explains_and_pinning_fixes_it(ecs_types, tmp_path, settings):
    sim = start_simulator(tmp_path / "ca.pem", "--tls-cert", "localhost")
    try:
        ecs_resource_on(sim, "ECS localhost cert")
        settings.ECS_VERIFY_SSL = str(tmp_path / "ca.pem")  # the right CA, the wrong name
        data, status = check()
        assert status == 1
        tls = next(c for c in data["checks"] if c["check"] == "tls")
        der = ssl.get_server_certificate(("127.0.0.1", int(sim.host_port.split(":")[1])))
        fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(der)).hexdigest()
        assert tls["status"] == "fail" and "CN=localhost" in tls["detail"]
        assert f"ECS_TLS_FINGERPRINT = '{fingerprint}'" in tls["detail"]

        settings.ECS_TLS_FINGERPRINT = fingerprint
        data, status = check()
        assert status == 0, data
        assert "pinned" in next(c for c in data["checks"] if c["check"] == "tls")["detail"]
    finally:
        sim.stop()


def test_bad_settings_stop_before_any_resource(ecs_types, default_sim, settings):
    ecs_resource_on(default_sim)
    settings.ECS_CLIENT_VERSION = "9"
    before = default_sim.stats()["requests"]
    data, status = check()
    assert status == 1
    assert data["checks"] == [
        {
            "resource": "",
            "check": "settings",
            "status": "fail",
            "detail": "ECS_CLIENT_VERSION must be '2', '3' or '4', got '9'",
        }
    ]
    assert default_sim.stats()["requests"] == before


def test_no_ecs_resource_at_all_fails(ecs_types, settings):
    settings.ECS_RESOURCE_NAME_CONTAINS = "no-such-resource-name"
    data, status = check()
    assert status == 1
    assert data["checks"][-1]["detail"] == (
        "no ECS resource found (see ECS_RESOURCE_TYPES and ECS_RESOURCE_NAME_CONTAINS)"
    )


def test_unusable_url_attribute_is_named(ecs_types, default_sim):
    resource = ecs_resource_on(default_sim, "ECS ftp")
    set_resource_attr(resource, attributes.URL, "ftp://ecs.example.org")
    data, status = check()
    assert status == 1
    [line] = [c for c in data["checks"] if c["resource"] == "ECS ftp"]
    assert (line["check"], line["status"]) == ("url", "fail")
    assert line["detail"].endswith(f"(resource attribute {attributes.URL!r})") and "scheme 'ftp'" in line["detail"]


def check_while_failing(sim, *endpoints: str, kind: str = "500") -> tuple[dict, int]:
    """``check()`` while each of ``endpoints`` fails every time with ``kind``."""
    sim.faults(endpoints=dict.fromkeys(endpoints, 1.0), kinds=[kind])
    try:
        return check()
    finally:
        sim.faults()


def test_an_ecs_missing_calls_is_warned_about_not_failed(ecs_types, default_sim):
    """An ECS without a local-VDC call and with bucket billing only: warnings that say what ecs_sync does."""
    ecs_resource_on(default_sim)
    with ecs_client(default_sim) as client:
        client.create_namespace("probe-ns", replication_group_id=client.replication_group_id("rg1"))
        client.set_namespace_quota("probe-ns", 1024, 900)

    data, status = check_while_failing(
        default_sim,
        "GET /object/vdcs/vdc/local",
        "POST /object/billing/namespace/info",
        "POST /object/billing/buckets/{namespace}/info",
        "GET /object/billing/namespace/{namespace}/info",
        kind="absent",
    )

    assert status == 0, data
    by = {c["check"]: c for c in data["checks"]}
    assert by["vdc"] == {
        "resource": "ECS checked",
        "check": "vdc",
        "status": "warn",
        "detail": "this ECS does not name its local VDC: bindings record the endpoint only",
    }
    assert by["listing"]["detail"] == "the namespace listing carries quotas: ecs_sync reads them from it"
    assert (by["billing"]["status"], by["billing"]["detail"]) == (
        "warn",
        "no billing form found but bucket billing: ecs_sync reads one bucket at a time",
    )


def test_billing_that_fails_on_ecs_side_fails_the_check(ecs_types, default_sim):
    ecs_resource_on(default_sim)
    data, status = check_while_failing(default_sim, "POST /object/billing/namespace/info")
    assert status == 1
    by = {c["check"]: c for c in data["checks"]}
    assert by["billing"]["status"] == "fail" and "HTTP 500" in by["billing"]["detail"]
    assert by["logout"]["status"] == "ok"  # the token is released even so


def test_a_failed_logout_is_named_with_its_consequence(ecs_types, default_sim):
    ecs_resource_on(default_sim)
    data, status = check_while_failing(default_sim, "GET /logout")
    assert status == 1
    logout = data["checks"][-1]
    assert (logout["check"], logout["status"]) == ("logout", "fail")
    assert logout["detail"].endswith(": the token stays live until it expires (ECS allows 100 per user)")


def tls_line(data: dict) -> dict:
    return next(c for c in data["checks"] if c["check"] == "tls")


def test_tls_problems_are_explained(ecs_types, default_sim, settings):
    ecs_resource_on(default_sim)

    settings.ECS_TLS_FINGERPRINT = "00" * 32  # a pin that is not this certificate's
    data, status = check()
    assert status == 1 and tls_line(data)["status"] == "fail"
    assert (
        "not the one ECS_TLS_FINGERPRINT names: update it if ECS's certificate was replaced" in tls_line(data)["detail"]
    )

    settings.ECS_TLS_FINGERPRINT = ""
    settings.ECS_VERIFY_SSL = True  # the system CAs, which did not sign the simulator's certificate
    data, status = check()
    assert status == 1 and tls_line(data)["status"] == "fail"
    assert tls_line(data)["detail"].startswith("certificate not trusted with ECS_VERIFY_SSL = True (")
    assert "ECS_TLS_FINGERPRINT = '" in tls_line(data)["detail"]

    settings.ECS_VERIFY_SSL = False
    data, status = check()
    assert tls_line(data)["status"] == "warn" and "not verified (ECS_VERIFY_SSL = False)" in tls_line(data)["detail"]
    assert status == 0  # a warning, not a failure: the other checks ran and passed


def test_no_tls_listener_fails_the_tls_check_and_stops(ecs_types, default_sim):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    resource = ecs_resource_on(default_sim, "ECS nowhere")
    set_resource_attr(resource, attributes.URL, f"127.0.0.1:{port}")
    data, status = check()
    assert status == 1
    assert [c["check"] for c in data["checks"] if c["resource"] == "ECS nowhere"] == ["url", "tls"]
    assert tls_line(data)["detail"].startswith(f"no TLS connection to 127.0.0.1:{port}: ")


def test_plain_http_is_a_warning_when_allowed(ecs_types, tmp_path, settings):
    sim = start_simulator(tmp_path / "ca.pem", "--no-tls")
    try:
        settings.ECS_ALLOW_HTTP = True
        resource = ecs_resource_on(sim, "ECS lab http")
        set_resource_attr(resource, attributes.URL, sim.base_url)
        data, status = check()
    finally:
        sim.stop()
    assert status == 0, data
    assert (tls_line(data)["status"], tls_line(data)["detail"]) == (
        "warn",
        "plain http (ECS_ALLOW_HTTP = True): the password and token cross the network unencrypted",
    )
