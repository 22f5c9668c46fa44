import pytest

from coldfront_ecs_plugin.endpoints import EndpointError, parse_endpoint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ecs.example.org", "https://ecs.example.org:4443"),
        ("ecs.example.org:9021", "https://ecs.example.org:9021"),
        ("https://ecs.example.org", "https://ecs.example.org:4443"),
        ("https://ecs.example.org:4443/", "https://ecs.example.org:4443"),
        ("  HTTPS://ECS.example.org:1234  ", "https://ecs.example.org:1234"),
        ("127.0.0.1:40123", "https://127.0.0.1:40123"),
    ],
)
def test_accepted_forms(value, expected):
    assert parse_endpoint(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "no 'url' attribute"),
        ("", "no 'url' attribute"),
        ("ftp://ecs.example.org", "scheme 'ftp'"),
        ("http://ecs.example.org", "plain http"),
        ("https://ecs.example.org/api", "path"),
        ("https://ecs.example.org?x=1", "path or query"),
        ("https://admin:s3cret@ecs.example.org", "credentials"),
        ("https://ecs.example.org:99999", "not a valid"),
    ],
)
def test_refused_forms(value, message):
    with pytest.raises(EndpointError, match=message) as info:
        parse_endpoint(value)
    assert "s3cret" not in str(info.value)


def test_http_only_when_allowed():
    assert parse_endpoint("http://lab-ecs:9020", allow_http=True) == "http://lab-ecs:9020"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://:4443", "has no host name"),
        ("https://admin:s3cret@[::1", "url 'https://***@[::1' is not a valid host or URL"),
        ("admin:s3cret@ecs.example.org:99999", "url '***@ecs.example.org:99999' is not a valid"),
        ("ftp://admin:s3cret@ecs.example.org", "url 'ftp://***@ecs.example.org': scheme 'ftp'"),
    ],
)
def test_refusals_never_repeat_a_password(value, message):
    with pytest.raises(EndpointError) as info:
        parse_endpoint(value)
    assert message in str(info.value) and "s3cret" not in str(info.value)


def test_ipv6_literal_keeps_its_brackets():
    assert parse_endpoint("[fd00::1]:9021") == "https://[fd00::1]:9021"
    assert parse_endpoint("https://[fd00::1]") == "https://[fd00::1]:4443"
