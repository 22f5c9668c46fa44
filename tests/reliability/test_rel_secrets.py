"""Guarantee 5: the ECS password and tokens stay secret (logs at DEBUG incl. urllib3, exceptions, admin
notes, every database row and history row, files on disk), and transport is safe by default (TLS
verified, CA bundle honoured, plain http refused unless allowed, URLs with credentials refused)."""

from __future__ import annotations

import base64
import io
import os
import secrets
import tempfile
import time
import traceback

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin import attributes
from harness.endpoints import BUCKET_CREATE
from harness.secrets import every_log_line, every_text_in_database, files_containing
from harness.simulator import start_simulator
from harness.world import attr, notes, set_resource_attr

PASSWORD = "Rel-" + secrets.token_hex(12)  # distinctive: any hit is a leak, never a coincidence


@pytest.fixture(scope="module")
def secret_sim(tmp_path_factory):
    handle = start_simulator(tmp_path_factory.mktemp("secret") / "ca.pem", "--password", PASSWORD)
    handle.password = PASSWORD
    yield handle
    handle.stop()


@pytest.fixture
def all_logs():
    """Root and every known logger (urllib3 included) at DEBUG, propagating to one handler."""
    with every_log_line() as handler:
        yield handler


def _forms(value: str, user: str = "admin") -> list[str]:
    """The secret and the encodings it would travel in (HTTP Basic)."""
    return [value, base64.b64encode(f"{user}:{value}".encode()).decode()]


def test_password_and_token_never_leak(world, settings, secret_sim, all_logs):
    """A failed provisioning, a successful one, a quota change, a sync and a bad login; then scan everything."""
    from coldfront_ecs_plugin.ecs import client as client_module

    started = time.time() - 1
    settings.ECS_PASS = PASSWORD
    settings.ECS_VERIFY_SSL = secret_sim.ca_path
    sim = secret_sim
    sim.reset()
    tokens: list[str] = []
    original_login = client_module.ECSClient._login_locked

    def spy(self, deadline):  # the token the simulator issued, read in-process
        original_login(self, deadline)
        tokens.append(self._token)

    client_module.ECSClient._login_locked = spy
    exceptions: list[str] = []
    try:
        resource = world.resource("ECS secret", url=sim.host_port)
        failing = world.allocation("Leak Fail Lab", resource=resource, quota_tb="1")
        sim.faults(endpoints={BUCKET_CREATE: 1.0}, kinds=["500"])
        world.approve(failing)
        sim.faults()
        assert failing.status.name == "New" and notes(failing)

        good = world.allocation("Leak Good Lab", resource=resource, quota_tb="1")
        world.approve(good)
        assert good.status.name == "Active", notes(good)
        world.edit_attribute(good, attributes.QUOTA_TB, "2")
        try:
            call_command("ecs_sync", stdout=io.StringIO())
        except CommandError as exc:
            exceptions.append(traceback.format_exc() + repr(exc))

        # a rejected password, and an ECS that is down: their exceptions must not carry secrets either
        from coldfront_ecs_plugin.services import provisioning

        settings.ECS_PASS = PASSWORD + "-wrong"
        other = world.allocation("Leak Auth Lab", resource=resource, quota_tb="1")
        world.set_status(other, "Active")
        with pytest.raises(provisioning.ProvisioningError) as raised:
            provisioning.provision(other.pk)
        exceptions.append("".join(traceback.format_exception(raised.value)) + repr(raised.value))
        settings.ECS_PASS = PASSWORD
        from coldfront_ecs_plugin.ecs import ECSClient

        client = ECSClient(sim.base_url, "admin", PASSWORD, verify=sim.ca_path)
        exceptions.append(repr(client) + str(vars(client).keys()))
        client.close()
    finally:
        client_module.ECSClient._login_locked = original_login

    assert tokens, "the spy saw the tokens"
    secrets_ = _forms(PASSWORD) + _forms(PASSWORD + "-wrong") + tokens
    log_text = "\n".join(all_logs.lines)
    assert any("urllib3" in line for line in all_logs.lines), "urllib3's DEBUG lines were captured"
    for secret in secrets_:
        assert secret not in log_text, "secret in a log line"
        assert not any(secret in text for text in exceptions), "secret in an exception"
        assert not any(secret in note for note in notes(failing) + notes(good) + notes(other)), "secret in a note"
        rows = [(table, column) for table, column, text in every_text_in_database() if secret in text]
        assert rows == [], f"secret in database rows (history tables included): {rows}"
    roots = [tempfile.gettempdir(), os.path.expanduser("~")]
    assert files_containing(secrets_, roots, started) == [], "a secret was written to disk"
    assert sim.stats()["active_tokens"] == 0


def test_tls_is_verified_by_default(world, settings):
    """With ECS_VERIFY_SSL=True (system CAs), the simulator's private CA is not trusted: a clear refusal."""
    settings.ECS_VERIFY_SSL = True
    allocation = world.allocation("TLS Lab", quota_tb="1")
    world.approve(allocation)
    assert allocation.status.name == "New"
    [note] = notes(allocation)
    assert "certificate" in note and "not trusted" in note, note
    assert world.namespaces() == []


def test_tls_default_is_true_when_unset(settings):
    from coldfront_ecs_plugin import conf

    del settings.ECS_VERIFY_SSL
    assert conf.load().verify_ssl is True


def test_ca_bundle_setting_is_used_and_a_wrong_bundle_fails(world, settings, tmp_path):
    """The test settings point ECS_VERIFY_SSL at the simulator's CA (works); another CA is refused."""
    other = start_simulator(tmp_path / "other-ca.pem")
    other.stop()
    ok = world.allocation("Bundle Lab", quota_tb="1")
    world.approve(ok)
    assert ok.status.name == "Active", notes(ok)
    settings.ECS_VERIFY_SSL = str(tmp_path / "other-ca.pem")
    bad = world.allocation("Wrong Bundle Lab", quota_tb="1")
    world.approve(bad)
    assert bad.status.name == "New"
    assert "not trusted" in notes(bad)[0]
    assert world.namespaces() == ["bundle-lab"]


@pytest.fixture(scope="module")
def plain_sim(tmp_path_factory):
    handle = start_simulator(tmp_path_factory.mktemp("plain") / "ca.pem", "--no-tls")
    yield handle
    handle.stop()


def test_plain_http_refused_unless_allowed(world, settings, plain_sim):
    plain_sim.reset()
    resource = world.resource("ECS plain", url=plain_sim.base_url)
    refused = world.allocation("Plain Lab", resource=resource, quota_tb="1")
    world.approve(refused)
    assert refused.status.name == "New"
    assert "plain http" in notes(refused)[0] and "ECS_ALLOW_HTTP" in notes(refused)[0]
    assert plain_sim.stats()["requests"] == 0, "not a single request (the password would travel in clear)"

    settings.ECS_ALLOW_HTTP = True
    world.approve(refused)
    assert refused.status.name == "Active", notes(refused)
    assert sorted(plain_sim.control("GET", "/_sim/state")["namespaces"]) == ["plain-lab"]


def test_url_with_credentials_is_refused_everywhere(world):
    """Provisioning and ecs_sync both refuse it, and neither repeats the embedded password."""
    url = f"https://admin:embedded-{PASSWORD}@{world.sim.host_port}"
    resource = world.resource("ECS creds", url=url)
    allocation = world.allocation("Creds Lab", resource=resource, quota_tb="1")
    world.approve(allocation)
    assert allocation.status.name == "New"
    [note] = notes(allocation)
    assert "must not contain credentials" in note and PASSWORD not in note
    set_resource_attr(resource, attributes.URL, url)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ecs_sync", "--resource", "ECS creds", stdout=out)
    assert "must not contain credentials" in out.getvalue() and PASSWORD not in out.getvalue()
    assert world.sim.stats()["requests"] == 0
    assert attr(allocation, attributes.NAMESPACE) is None


def test_the_scanners_find_a_planted_secret(world, tmp_path):
    """Positive control: the database and file scans above would see a leak if there were one."""
    from coldfront_ecs_plugin.services import notes as notes_service

    planted = "planted-" + secrets.token_hex(8)
    allocation = world.allocation("Planted Lab")
    notes_service.add_admin_note(allocation, planted)
    assert {t for t, _c, text in every_text_in_database() if planted in text} >= {"allocation_allocationadminnote"}
    started = time.time() - 1
    path = os.path.join(tempfile.gettempdir(), f"rel-planted-{secrets.token_hex(4)}")
    with open(path, "w") as handle:
        handle.write(planted)
    try:
        assert path in files_containing([planted], [tempfile.gettempdir()], started)
    finally:
        os.unlink(path)
