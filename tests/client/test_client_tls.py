"""Certificate pinning (``tls_fingerprint``) against a loopback HTTPS stub whose certificate is the
self-signed ``CN=localhost`` most ECS installs ship, reached as 127.0.0.1 so the hostname never matches."""

from __future__ import annotations

import datetime as dt
import hashlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from client.ecs_stub import PASSWORD, Stub, client, running_stub
from coldfront_ecs_plugin.ecs import ECSClient, ECSConfigurationError

CAPACITY = {"totalProvisioned_gb": 750, "totalFree_gb": 500}


@dataclass
class TLSStub:
    stub: Stub
    cert_path: str
    fingerprint: str


def _self_signed(tmp: Path) -> tuple[Path, Path, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path, hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


@pytest.fixture
def tls_stub(tmp_path: Path) -> Iterator[TLSStub]:
    cert_path, key_path, fingerprint = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    with running_stub(tls=context) as stub:
        stub.on("GET /object/capacity", (200, CAPACITY))
        yield TLSStub(stub, str(cert_path), fingerprint)


def test_pinned_certificate_is_accepted_without_ca_or_hostname(tls_stub: TLSStub) -> None:
    colons = ":".join(tls_stub.fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    for pin in (tls_stub.fingerprint, colons):
        with client(tls_stub.stub, verify=True, tls_fingerprint=pin) as c:
            assert c.get_capacity().total_free_gb == 500
            assert c.tls_fingerprint == tls_stub.fingerprint


def test_wrong_fingerprint_is_refused_without_retries(tls_stub: TLSStub) -> None:
    with (
        client(tls_stub.stub, tls_fingerprint="00" * 32, retries=3) as c,
        pytest.raises(ECSConfigurationError, match="does not match tls_fingerprint") as info,
    ):
        c.get_capacity()
    assert tls_stub.fingerprint in str(info.value)  # tells the admin what the server presented
    assert c.request_count == 1 and tls_stub.stub.seen == []


def test_without_pin_the_localhost_certificate_fails_hostname_check(tls_stub: TLSStub) -> None:
    with (
        client(tls_stub.stub, verify=tls_stub.cert_path) as c,
        pytest.raises(ECSConfigurationError, match=r"not trusted.*tls_fingerprint"),
    ):
        c.get_capacity()
    assert tls_stub.stub.seen == []


def test_pin_is_used_even_when_the_ca_bundle_is_missing(tls_stub: TLSStub) -> None:
    with client(tls_stub.stub, verify="/nonexistent/ca.pem", tls_fingerprint=tls_stub.fingerprint) as c:
        assert c.get_capacity().total_provisioned_gb == 750


@pytest.mark.parametrize(
    ("url", "pin"),
    [
        ("https://ecs:4443", "abc"),
        ("https://ecs:4443", "zz" * 32),
        ("https://ecs:4443", "ab" * 20),  # SHA-1 length: refused, only SHA-256 is accepted
        ("http://ecs:4443", "ab" * 32),
    ],
)
def test_bad_fingerprint_settings(url: str, pin: str) -> None:
    with pytest.raises(ECSConfigurationError, match="tls_fingerprint"):
        ECSClient(url, "admin", PASSWORD, tls_fingerprint=pin)
