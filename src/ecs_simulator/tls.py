"""Throw-away TLS material: a fresh CA and server certificate per run, never written to the repo."""

from __future__ import annotations

import ssl

import trustme

CERT_MODES = ("default", "localhost")


def server_context(ca_out: str | None, mode: str = "default") -> ssl.SSLContext:
    """Server context; ``default``: valid for 127.0.0.1, localhost and ::1. ``localhost``: CN=localhost
    and nothing else, like the management certificate most ECS installs carry (ECS CE issue #193,
    ecs-field-notes.md "TLS"), so a client reaching it by IP fails hostname verification.
    The signing CA's PEM goes to ``ca_out``."""
    ca = trustme.CA()
    if mode == "localhost":
        cert = ca.issue_cert("localhost", common_name="localhost")
    else:
        cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    if ca_out:
        ca.cert_pem.write_to_path(ca_out)
    return ctx
