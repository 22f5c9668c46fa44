"""Throw-away TLS material: a fresh CA and server certificate per run, never written to the repo."""

from __future__ import annotations

import ssl

import trustme


def server_context(ca_out: str | None) -> ssl.SSLContext:
    """Server context whose certificate is valid for 127.0.0.1 and localhost; CA PEM goes to ``ca_out``."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    if ca_out:
        ca.cert_pem.write_to_path(ca_out)
    return ctx
