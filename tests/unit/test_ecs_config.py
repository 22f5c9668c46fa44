"""The ECS client's settings are refused at construction, each with a message naming what is wrong
(and never the password): no request is ever sent with a bad setting."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin.ecs import ECSClient, ECSConfigurationError


def client(base_url: str = "https://ecs.example.org:4443", **kwargs) -> ECSClient:
    return ECSClient(base_url, kwargs.pop("username", "admin"), kwargs.pop("password", "s3cret"), **kwargs)


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("https://ecs.example.org:4443?x=1", "ECS base URL https://ecs.example.org must not have a query"),
        ("https://ecs.example.org#top", "must not have a query"),
        ("https://ecs.example.org:0", "has port 0"),
        ("ecs.example.org", "must look like https://ecs.example.org:4443"),
        ("https://admin:s3cret@ecs.example.org", "must not embed credentials"),
    ],
)
def test_bad_base_urls_are_refused(base_url, message):
    with pytest.raises(ECSConfigurationError, match=message) as raised:
        client(base_url)
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive number of seconds"),
        ({"retries": -1}, "retries must be an integer >= 0"),
        ({"retries": 1.5}, "retries must be an integer >= 0"),
        ({"backoff": -0.1}, "backoff must be >= 0"),
        ({"pool_size": 0}, "pool_size must be an integer >= 1"),
        ({"verify": ""}, "verify must be True, False or a CA bundle path, not ''"),
        ({"verify": 1}, "verify must be True, False or a CA bundle path"),
        ({"api_version": "v5"}, "unsupported ECS api_version '5'"),
        ({"tls_fingerprint": "abc"}, "64 hex digits"),
        ({"username": " "}, "ECS username is empty"),
        ({"password": ""}, "ECS password is empty"),
    ],
)
def test_bad_client_settings_are_refused(kwargs, message):
    with pytest.raises(ECSConfigurationError, match=message):
        client(**kwargs)


def test_a_fingerprint_needs_https_and_the_rest_is_normalised():
    fp = ":".join(["AB"] * 32)
    with pytest.raises(ECSConfigurationError, match="needs an https:// ECS base URL"):
        client("http://ecs.example.org:9020", tls_fingerprint=fp)
    made = client("  https://ecs.example.org:4443/ ", api_version="v4", tls_fingerprint=fp)
    assert (made.base_url, made.api_version) == ("https://ecs.example.org:4443", "4")
    assert "s3cret" not in repr(made)
