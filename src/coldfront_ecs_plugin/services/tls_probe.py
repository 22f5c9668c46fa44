"""Is an ECS endpoint's TLS certificate trusted the way the plugin is configured, and if not, why?

Why not just let the client fail: "certificate verify failed" does not say what to change. Most
ECS installs serve a self-signed ``CN=localhost`` certificate, which fails hostname verification
even with the right CA bundle; the fix there is a proper certificate or pinning its SHA-256.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from urllib.parse import urlsplit

from .. import conf

HOSTNAME_MISMATCH = (62, 64)  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


def _connect(host: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes:
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.getpeercert(binary_form=True) or b""


def presented_certificate(host: str, port: int, timeout: float) -> bytes:
    """The server certificate (DER), read without verifying anything."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return _connect(host, port, context, timeout)


def certificate_names(der: bytes) -> str:
    """The names a certificate is for (CN and subjectAltName), when ``cryptography`` is installed."""
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID
    except ImportError:  # pragma: no cover - shipped with most Python installs of ColdFront
        return "other names"
    cert = x509.load_der_x509_certificate(der)
    names = [f"CN={a.value!s}" for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += [str(v) for v in san.get_values_for_type(x509.DNSName)]
        names += [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    return ", ".join(names) or "no name"


def check_tls(base_url: str, settings: conf.ECSSettings) -> tuple[str, str]:
    """("ok" | "warn" | "fail", what to know or do)."""
    parts = urlsplit(base_url)
    if parts.scheme != "https":
        return "warn", "plain http (ECS_ALLOW_HTTP = True): the password and token cross the network unencrypted"
    host, port = parts.hostname or "", parts.port or 443
    try:
        der = presented_certificate(host, port, settings.request_timeout)
    except OSError as exc:
        return "fail", f"no TLS connection to {host}:{port}: {exc}"
    fingerprint = hashlib.sha256(der).hexdigest()
    pin = f"ECS_TLS_FINGERPRINT = {fingerprint!r}"
    pinned = settings.tls_fingerprint_for(base_url)
    if pinned:
        if pinned == fingerprint:
            return "ok", "certificate pinned by ECS_TLS_FINGERPRINT (SHA-256 matches)"
        return "fail", (
            f"the server presents a certificate with SHA-256 {fingerprint}, not the one "
            "ECS_TLS_FINGERPRINT names: update it if ECS's certificate was replaced"
        )
    if settings.verify_ssl is False:
        return "warn", f"not verified (ECS_VERIFY_SSL = False); to verify this certificate, pin it: {pin}"
    return _verify(host, port, der, settings, pin)


def _verify(host: str, port: int, der: bytes, settings: conf.ECSSettings, pin: str) -> tuple[str, str]:
    import requests.certs

    cafile = settings.verify_ssl if isinstance(settings.verify_ssl, str) else requests.certs.where()
    trust = f"ECS_VERIFY_SSL = {settings.verify_ssl!r}"
    try:
        _connect(host, port, ssl.create_default_context(cafile=cafile), settings.request_timeout)
    except ssl.SSLCertVerificationError as exc:
        if exc.verify_code in HOSTNAME_MISMATCH:
            return "fail", (
                f"the certificate is for {certificate_names(der)}, not {host} (ECS ships a CN=localhost "
                f"certificate): install one naming {host} from a CA in {trust}, or pin this one "
                f"(its SHA-256 is verified instead of CA and hostname): {pin}"
            )
        return "fail", (
            f"certificate not trusted with {trust} ({exc.verify_message}): set ECS_VERIFY_SSL to the "
            f"CA bundle that signed it, or pin it: {pin}"
        )
    except OSError as exc:
        return "fail", f"TLS handshake with {host}:{port} failed: {exc}"
    return "ok", f"trusted with {trust}; the certificate names {host}"
