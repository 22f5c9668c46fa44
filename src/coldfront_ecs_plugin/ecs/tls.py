"""The HTTP session: a bounded keep-alive pool, no environment influence, optional certificate pinning.

Most ECS installs serve a self-signed ``CN=localhost`` management certificate, which fails hostname
verification even with the right CA bundle.  Pinning the certificate's SHA-256 (urllib3's
``assert_fingerprint``) authenticates the server without CA or hostname checks.
"""

from __future__ import annotations

import re
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from requests.adapters import HTTPAdapter


class FingerprintAdapter(HTTPAdapter):
    """An adapter whose HTTPS connections accept exactly one certificate, by SHA-256 fingerprint."""

    def __init__(self, fingerprint: str, **kwargs: Any) -> None:
        self.fingerprint = fingerprint
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        pool_kwargs["assert_fingerprint"] = self.fingerprint
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)


def make_session(pool_size: int, fingerprint: str | None) -> requests.Session:
    """A session that sends only what the client sets: no proxies, .netrc, env CA bundle or cookies."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # the token only in our header
    session.headers.update({"Accept": "application/json"})
    plain = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, pool_block=True, max_retries=0)
    session.mount("http://", plain)
    if fingerprint is None:
        session.mount("https://", plain)
    else:
        session.mount(
            "https://",
            FingerprintAdapter(fingerprint, pool_connections=1, pool_maxsize=pool_size, pool_block=True, max_retries=0),
        )
    return session


def fingerprint_mismatch(exc: BaseException) -> str | None:
    """The fingerprint the server presented when pinning failed, else None."""
    text = str(exc)
    if "Fingerprints did not match" not in text:
        return None
    # urllib3 2: got "ab12..."; urllib3 1.26: got "b'ab12...'" (its quote escaped in a wrapping repr)
    match = re.search(r'got "?(?:b\\?\')?([0-9a-fA-F:]+)', text)
    return match.group(1).lower() if match else ""
