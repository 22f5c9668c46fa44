"""Sending one HTTP request with bounded retries, timeouts and an optional overall deadline.

Reads and idempotent writes are retried on 500/502/503 (including ECS's "overloaded" 6000)/504,
connection errors and timeouts, with exponential backoff.  A non-idempotent write is retried only
when it provably never left; otherwise ``AmbiguousWrite`` tells the caller to reconcile.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .config import Settings
from .errors import AmbiguousWrite, ECSConfigurationError, ECSUnavailable
from .responses import error_fields
from .tls import fingerprint_mismatch, make_session

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
MAX_BACKOFF = 5.0
MIN_ATTEMPT_S = 0.05  # no attempt starts with less time than this left


@dataclass(frozen=True)
class _Failure:
    """A failed attempt: what happened, and whether ECS may have received the request."""

    last: str
    sent: bool
    http_status: int | None = None
    timed_out: bool = False  # sent, and no answer within the timeout
    fields: dict[str, Any] | None = None


def _never_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the connection itself failed, so ECS cannot have seen the request."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        # urllib3 2 raises NameResolutionError, a NewConnectionError; urllib3 1.26 a NewConnectionError
        if isinstance(node, (NewConnectionError, ConnectTimeoutError, ConnectionRefusedError)):
            return True
        reason = getattr(node, "reason", None)
        if isinstance(reason, BaseException):
            node = reason
            continue
        args = getattr(node, "args", ())
        node = next((a for a in args if isinstance(a, BaseException)), None) or node.__cause__ or node.__context__
    return False


def _reason(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(
        r"\[Errno [^\]]+\][^')\"]*|Connection refused|RemoteDisconnected[^')\"]*"
        r"|Connection aborted|Connection reset by peer",
        text,
    )
    return match.group(0).strip() if match else type(exc).__name__


class Sender:
    """Settings, the pooled session, request counting and the retry loop."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.base_url
        self.verify = settings.verify
        self.timeout = settings.timeout
        self.api_version = settings.api_version
        self.retries = settings.retries
        self.backoff = settings.backoff
        self.pool_size = settings.pool_size
        self.tls_fingerprint = settings.tls_fingerprint
        #: Overall bound (a ``time.monotonic()`` value) on every request of this client, or None.
        self.deadline_at: float | None = None
        self._session = make_session(settings.pool_size, settings.tls_fingerprint)
        self._count_lock = threading.Lock()
        self._request_count = 0

    @property
    def request_count(self) -> int:
        """HTTP requests this client has sent (logins, logouts and retries included)."""
        return self._request_count

    def _count(self) -> None:
        with self._count_lock:
            self._request_count += 1

    def _deadline(self) -> float:
        """One call's deadline: every attempt and backoff sleep, capped by the overall deadline."""
        sleeps = sum(min(self.backoff * 2.0**i, MAX_BACKOFF) for i in range(self.retries))
        own = time.monotonic() + (self.retries + 1) * self.timeout + sleeps + 0.5
        return own if self.deadline_at is None else min(own, self.deadline_at)

    def _sleep(self, attempt: int, deadline: float) -> None:
        delay = min(self.backoff * 2.0**attempt, MAX_BACKOFF) * random.uniform(0.5, 1.0)
        time.sleep(max(0.0, min(delay, deadline - time.monotonic())))

    def _request_kwargs(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: Any,
        headers: dict[str, str] | None,
        auth: tuple[str, str] | None,
    ) -> dict[str, Any]:
        send_headers = dict(headers or {})
        if method == "DELETE":
            send_headers["Accept"] = "*/*"  # ECS 2.x answered DELETE in XML whatever was asked
        data = None
        if body is not None:
            data = json.dumps(body)
            send_headers["Content-Type"] = "application/json"
        verify: bool | str = self.verify
        if self.tls_fingerprint is not None:
            verify = False  # the pinned fingerprint replaces CA and hostname checks
        elif isinstance(verify, str) and not Path(verify).is_file():
            # checked per call, not at construction: the bundle may be written after the client is built
            raise ECSConfigurationError(f"CA bundle {verify!r} does not exist", method=method, path=path)
        return {
            "params": params,
            "data": data,
            "headers": send_headers,
            "auth": auth,
            "verify": verify,
            "allow_redirects": False,
        }

    def _send(
        self,
        method: str,
        path: str,
        *,
        deadline: float,
        idempotent: bool,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        retry_timeouts: bool = True,
    ) -> requests.Response:
        """Send with bounded retries; returns any HTTP answer except retryable 5xx.

        Raises ECSUnavailable when retries or the deadline run out, or at the first timeout when
        ``retry_timeouts`` is False, and ``AmbiguousWrite`` when a non-idempotent request failed in a
        way that may have reached ECS.
        """
        kwargs = self._request_kwargs(method, path, params, body, headers, auth)
        last = "deadline passed before the request could be sent"
        attempts = 0
        for attempt in range(self.retries + 1):
            remaining = deadline - time.monotonic()
            if remaining <= MIN_ATTEMPT_S:
                break
            attempts += 1
            outcome = self._attempt(method, path, kwargs, min(self.timeout, remaining))
            if isinstance(outcome, requests.Response):
                return outcome
            last = outcome.last
            if outcome.sent and not idempotent:
                raise AmbiguousWrite(
                    f"{last}; the request may or may not have been applied",
                    http_status=outcome.http_status,
                    method=method,
                    path=path,
                    **(outcome.fields or {}),
                )
            if outcome.timed_out and not retry_timeouts:
                raise ECSUnavailable(f"ECS at {self.base_url}: {last}; not sent again", method=method, path=path)
            logger.debug("ECS %s %s attempt %d failed: %s", method, path, attempt + 1, last)
            if attempt < self.retries:
                self._sleep(attempt, deadline)
        raise self._exhausted(method, path, attempts, last)

    def _exhausted(self, method: str, path: str, attempts: int, last: str) -> ECSUnavailable:
        if self.deadline_at is not None and self.deadline_at - time.monotonic() <= MIN_ATTEMPT_S:
            return ECSUnavailable(
                f"deadline exceeded after {attempts} attempt(s) to ECS at {self.base_url}: {last}",
                method=method,
                path=path,
            )
        return ECSUnavailable(
            f"ECS at {self.base_url} unavailable after {attempts} attempt(s): {last}", method=method, path=path
        )

    def _attempt(self, method: str, path: str, kwargs: dict[str, Any], timeout: float) -> requests.Response | _Failure:
        """One HTTP exchange: the answer, or what went wrong.  TLS trust problems are not retried."""
        self._count()
        try:
            response = self._session.request(method, self.base_url + path, timeout=(timeout, timeout), **kwargs)
        except requests.exceptions.SSLError as exc:
            self._raise_if_untrusted(exc, method, path)
            return _Failure(f"TLS error ({type(exc).__name__})", sent=True)
        except requests.exceptions.ConnectTimeout:
            return _Failure(f"connect timeout after {timeout:.1f}s", sent=False)
        except requests.exceptions.ReadTimeout:
            return _Failure(f"no answer within {timeout:.1f}s", sent=True, timed_out=True)
        except requests.exceptions.ConnectionError as exc:
            return _Failure(f"connection error ({_reason(exc)})", sent=not _never_sent(exc))
        except requests.exceptions.RequestException as exc:
            raise ECSUnavailable(f"request to ECS failed: {type(exc).__name__}", method=method, path=path) from None
        if response.status_code not in RETRY_STATUSES:
            return response
        return _Failure(
            f"ECS answered HTTP {response.status_code}",
            sent=True,
            http_status=response.status_code,
            fields=error_fields(response),
        )

    def _raise_if_untrusted(self, exc: requests.exceptions.SSLError, method: str, path: str) -> None:
        got = fingerprint_mismatch(exc)
        if got is not None:
            raise ECSConfigurationError(
                f"TLS certificate of {self.base_url} does not match tls_fingerprint (server presented "
                f"SHA-256 {got or 'unknown'})",
                method=method,
                path=path,
            ) from None
        text = str(exc)
        # urllib3 1.26 checks the hostname itself: "hostname '…' doesn't match '…'"
        if any(part in text for part in ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed", "doesn't match")):
            raise ECSConfigurationError(
                f"TLS certificate of {self.base_url} not trusted: set verify to the ECS CA bundle, or pin "
                "the certificate with tls_fingerprint",
                method=method,
                path=path,
            ) from None
