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
