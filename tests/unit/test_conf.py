import json

import pytest

from coldfront_ecs_plugin import conf


@pytest.fixture(autouse=True)
def _system_ca(settings):
    """These tests run without the simulator, whose CA file the test settings point at."""
    settings.ECS_VERIFY_SSL = True


def test_defaults_and_test_settings(settings):
    loaded = conf.load()
    assert loaded.user == "admin"
    assert loaded.client_version == "3"
    assert loaded.resource_name_contains == "ecs"
    assert loaded.quota_notification_percent == 90.0
    assert "ChangeMe" not in repr(loaded)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ECS_CLIENT_VERSION", "5", "ECS_CLIENT_VERSION"),
        ("ECS_REQUEST_TIMEOUT", "soon", "ECS_REQUEST_TIMEOUT"),
        ("ECS_REQUEST_TIMEOUT", -1, "ECS_REQUEST_TIMEOUT"),
        ("ECS_VERIFY_SSL", "/nonexistent/ca.pem", "CA bundle"),
        ("ECS_QUOTA_NOTIFICATION_PERCENT", 150, "ECS_QUOTA_NOTIFICATION_PERCENT"),
        ("ECS_TB_PER_QUANTITY", 0, "ECS_TB_PER_QUANTITY"),
        ("ECS_ALLOW_HTTP", "maybe", "ECS_ALLOW_HTTP"),
        ("ECS_USER", "", "ECS_USER"),
    ],
)
def test_invalid_settings_are_named(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(conf.SettingsError, match=message):
        conf.load()
    assert any(message in problem for problem in conf.problems())


def test_environment_fallback(settings, monkeypatch):
    del settings.ECS_TB_PER_QUANTITY
    monkeypatch.setenv("ECS_TB_PER_QUANTITY", "2.5")
    assert conf.load().tb_per_quantity == 2.5


def test_verify_ssl_ca_bundle_path(settings, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings.ECS_VERIFY_SSL = str(bundle)
    assert conf.load().verify_ssl == str(bundle)


def test_verify_ssl_false_string(settings):
    settings.ECS_VERIFY_SSL = "false"
    assert conf.load().verify_ssl is False


FP = "ab" * 32


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ECS_LDAP_GROUP_SOURCE", "ou", "ECS_LDAP_GROUP_SOURCE must be one of project_title, pi_username, none"),
        ("ECS_RESOURCE_NAME_CONTAINS", "  ", "ECS_RESOURCE_NAME_CONTAINS must not be empty"),
        ("ECS_RESOURCE_TYPES", " , ", "ECS_RESOURCE_TYPES must name at least one resource type"),
        ("ECS_RESOURCE_TYPES", 7, "ECS_RESOURCE_TYPES must be a list of resource type names, got 7"),
        ("ECS_ON_EXPIRE", "delete", "ECS_ON_EXPIRE must be one of none, freeze, lock, got 'delete'"),
        ("ECS_USAGE_ALERT_PERCENTS", "80, lots", "ECS_USAGE_ALERT_PERCENTS must be a list of whole percentages"),
        ("ECS_USAGE_ALERT_PERCENTS", [80, 1001], "ECS_USAGE_ALERT_PERCENTS must hold percentages between 1 and"),
        ("ECS_TLS_FINGERPRINT", "abc", "ECS_TLS_FINGERPRINT must be the SHA-256 of the ECS certificate"),
        ("ECS_TLS_FINGERPRINT", "{not json", "ECS_TLS_FINGERPRINT is not valid JSON"),
        ("ECS_TLS_FINGERPRINT", {"ecs.example.org": "zz"}, "64 hex digits"),
        ("ECS_SYNC_CONCURRENCY", 33, "ECS_SYNC_CONCURRENCY must be between 1 and 32, got 33"),
        ("ECS_REQUEST_TIMEOUT", float("nan"), "ECS_REQUEST_TIMEOUT must be between"),
    ],
)
def test_each_bad_setting_says_what_it_must_be(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(conf.SettingsError) as raised:
        conf.load()
    assert message in str(raised.value)


def test_every_problem_is_named_at_once(settings):
    settings.ECS_ON_REVOKE = "burn"
    settings.ECS_SYNC_SCHEDULE_MINUTES = 0
    settings.ECS_PASS = ""
    problems = conf.problems()
    assert problems == [
        "ECS_PASS is not set",
        "ECS_SYNC_SCHEDULE_MINUTES must be between 1 and 10080, got 0",
        "ECS_ON_REVOKE must be one of none, freeze, lock, got 'burn'",
    ]
    with pytest.raises(conf.SettingsError, match="ECS_PASS is not set; ECS_SYNC_SCHEDULE_MINUTES"):
        conf.load()
    with pytest.raises(conf.SettingsError) as raised:
        conf.load(require_credentials=False)  # what the pages and checks use: a missing password is not named
    assert str(raised.value).startswith("ECS_SYNC_SCHEDULE_MINUTES")


@pytest.mark.parametrize(
    ("value", "parsed"), [("yes", True), ("On", True), ("0", False), ("off", False), (True, True), ("", False)]
)
def test_flags_read_the_usual_spellings(settings, value, parsed):
    settings.ECS_S3_USERS = value
    assert conf.load().s3_users is parsed


@pytest.mark.parametrize(("value", "parsed"), [("yes", True), ("", True), ("  ", True), ("0", False)])
def test_verify_ssl_spellings(settings, value, parsed):
    settings.ECS_VERIFY_SSL = value
    assert conf.load().verify_ssl is parsed


def test_alert_percents_are_sorted_without_repeats(settings):
    settings.ECS_USAGE_ALERT_PERCENTS = "[95, 80, 95, 100]"
    assert conf.load().usage_alert_percents == (80, 95, 100)
    settings.ECS_USAGE_ALERT_PERCENTS = ""
    assert conf.load().usage_alert_percents == ()


def test_tls_fingerprints_one_for_all_or_per_host(settings):
    settings.ECS_TLS_FINGERPRINT = ":".join(FP[i : i + 2].upper() for i in range(0, 64, 2))
    loaded = conf.load()
    assert loaded.tls_fingerprints == {"*": FP}
    assert loaded.tls_fingerprint_for("https://any.example.org") == FP
    assert loaded.tls_fingerprint_for("http://any.example.org") is None  # nothing to pin without TLS

    other = "cd" * 32
    settings.ECS_TLS_FINGERPRINT = json.dumps({"ECS1.example.org:9021": FP, "ecs2.example.org": other})
    loaded = conf.load()
    assert loaded.tls_fingerprint_for("https://ecs1.example.org:9021/") == FP  # host:port, case folded
    assert loaded.tls_fingerprint_for("https://ecs1.example.org") is None  # default port 4443: not pinned
    assert loaded.tls_fingerprint_for("https://ecs2.example.org:4443") == other  # by host, any port
    assert loaded.tls_fingerprint_for("https://ecs3.example.org") is None
