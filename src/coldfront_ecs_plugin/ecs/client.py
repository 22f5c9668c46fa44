"""Typed client for the ECS Management REST API (the subset the plugin needs).

Knows only HTTP (requests + urllib3): no Django imports.  Written against python-ecsclient's
failure modes: no token file, no ``/user/whoami`` before every call, no shared token across
threads, TLS verification on by default, timeouts and bounded retries on every call.

``ECSClient`` is assembled from a transport (``transport``, ``sender``, ``reconcile``) and thin
operation groups, one module each: ``namespaces``, ``buckets``, ``billing``, ``users``, ``cluster``.
"""

from __future__ import annotations

from .billing import BillingOps
from .buckets import BucketOps
from .cluster import ClusterOps
from .config import SUPPORTED_API_VERSIONS
from .namespaces import NamespaceOps
from .users import UserOps

__all__ = ["SUPPORTED_API_VERSIONS", "ECSClient"]


class ECSClient(NamespaceOps, BucketOps, BillingOps, UserOps, ClusterOps):
    """One management session against one ECS endpoint.

    Thread-safe: one ``requests.Session`` with a blocking keep-alive pool of ``pool_size``; one token,
    obtained lazily by the first call, reused (never checked with ``/user/whoami``), renewed under a
    lock when ECS refuses it (401, or 302 to /login: redirects are never followed) so concurrent
    refusals cause a single re-login, dropped by ``close()``.  The token lives only in memory and
    never appears in a repr, log line or exception.

    ``api_version`` is validated ("2", "3" or "4") but changes nothing on the wire: every call used
    here has the same path, headers and payload in all three.  ``verify`` is True (system trust via
    certifi), False, or a CA-bundle path; ``tls_fingerprint`` (SHA-256 of the server certificate)
    replaces CA and hostname checks when given.  Proxies, ``.netrc`` and ``REQUESTS_CA_BUNDLE`` from
    the environment are ignored so behaviour depends only on these arguments.

    Retries: reads (GET, the bulk billing POSTs), quota PUT/DELETE, lock PUTs and logins are retried
    up to ``retries`` times with exponential backoff on 500/502/503/504 (503/6000 is ECS overloaded),
    connection errors and timeouts.  Other writes are retried only when the request provably never
    left; after an ambiguous failure creates and deletes check with a GET what happened.  Every
    public call has a deadline of about ``(retries + 1) * timeout`` plus the backoff sleeps; when it
    passes, or retries run out, ``ECSUnavailable`` is raised.  ``deadline_at`` (a ``time.monotonic()``
    value) or ``with client.deadline(seconds):`` bounds all calls further.
    """
