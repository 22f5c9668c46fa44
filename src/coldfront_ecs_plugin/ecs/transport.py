"""The authenticated transport: token life cycle, the overall deadline, and typed answers.

Operation mixins (namespaces, buckets, billing, users, cluster) build on ``Transport`` and only
say which path to call and how to read the answer.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from .config import check_credentials, make_settings
from .errors import ECSAuthError, ECSConfigurationError, ECSMalformedResponse
from .reconcile import Reconciler
from .responses import error_fields, error_for, is_auth_failure, is_too_many_tokens, json_body, too_many_tokens

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Transport(Reconciler):
    """One management session against one ECS endpoint (see ``ECSClient`` for the full contract)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        verify: bool | str = True,
        timeout: float = 30.0,
        api_version: str = "3",
        retries: int = 3,
        backoff: float = 0.2,
        pool_size: int = 4,
        tls_fingerprint: str | None = None,
        deadline_at: float | None = None,
    ) -> None:
        settings = make_settings(
            base_url,
            verify=verify,
            timeout=timeout,
            api_version=api_version,
            retries=retries,
            backoff=backoff,
            pool_size=pool_size,
            tls_fingerprint=tls_fingerprint,
        )
        check_credentials(username, password)
        super().__init__(settings)
        self.username = username
        self.__password = password
        self.deadline_at = deadline_at
        self._token: str | None = None
        self._token_lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, user={self.username!r}, api_version={self.api_version!r})"

    def __enter__(self: T) -> T:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[float]:
        """Bound every request of this client (all threads) to end within ``seconds`` from now.

        Each request's timeout becomes min(timeout, time left) and no attempt, retry or re-login
        starts after it: ECSUnavailable("deadline exceeded ...") instead.  Nests (the tighter
        bound wins) and restores the previous bound on exit.  Yields the ``time.monotonic()`` bound.
        """
        if not (isinstance(seconds, (int, float)) and seconds >= 0):
            raise ECSConfigurationError("deadline seconds must be a number >= 0")
        previous = self.deadline_at
        bound = time.monotonic() + float(seconds)
        self.deadline_at = bound if previous is None else min(previous, bound)
        try:
            yield self.deadline_at
        finally:
            self.deadline_at = previous

    # -- token life cycle ------------------------------------------------------------------
    def login(self) -> None:
        """Obtain a token now (calls do it lazily); a no-op when one is held."""
        self._check_open()
        deadline = self._deadline()
        with self._token_lock:
            if self._token is None:
                self._login_locked(deadline)

    def close(self) -> None:
        """Log out (if logged in) and close the HTTP session. Idempotent; never raises."""
        with self._token_lock:
            token, self._token = self._token, None
            already_closed, self._closed = self._closed, True
        if token is not None:
            self._logout(token)
        if not already_closed:
            self._session.close()

    def _logout(self, token: str) -> None:
        """Release the token: a lost logout holds one of the user's 100 tokens for hours.

        Retried like a read but within a short bound so close() stays quick; past the overall
        deadline it still gets a couple of seconds.
        """
        bound = time.monotonic() + 3 * min(self.timeout, 10.0)
        if self.deadline_at is not None:
            bound = min(bound, max(self.deadline_at, time.monotonic() + 2.0))
        try:
            self._send("GET", "/logout", deadline=bound, idempotent=True, headers={"X-SDS-AUTH-TOKEN": token})
        except Exception as exc:  # close() must not raise; the token expires on its own
            logger.warning("ECS logout from %s failed: %s", self.base_url, type(exc).__name__)

    def whoami(self) -> dict[str, Any]:
        """The caller's identity; explicit only (the client never validates tokens with it)."""
        data: dict[str, Any] = self._json(self._call("GET", "/user/whoami"))
        return data

    def _check_open(self) -> None:
        if self._closed:
            raise ECSConfigurationError("ECSClient is closed")

    def _login_locked(self, deadline: float) -> None:
        """GET /login with Basic auth; the caller holds ``_token_lock``.

        A login left unanswered within the timeout is not sent again: a hung ECS would cost the whole
        timeout once per retry, and each login it answers late is a token it keeps (ECS caps tokens
        per user). Refused connections, dropped connections and 5xx answers are retried as for any read.
        """
        response = self._send(
            "GET",
            "/login",
            deadline=deadline,
            idempotent=True,
            auth=(self.username, self.__password),
            retry_timeouts=False,
        )
        if response.status_code in (401, 403):
            fields = error_fields(response)
            if is_too_many_tokens(response.status_code, fields):
                raise too_many_tokens(self.username, "GET", "/login", response.status_code, fields)
            raise ECSAuthError(
                f"ECS rejected the credentials of user {self.username!r}",
                http_status=response.status_code,
                method="GET",
                path="/login",
                **fields,
            )
        if not 200 <= response.status_code < 300:
            raise error_for(response, "GET", "/login")
        token = response.headers.get("X-SDS-AUTH-TOKEN", "").strip()
        if not token:
            raise ECSMalformedResponse(
                "ECS login answered 200 without an X-SDS-AUTH-TOKEN header",
                http_status=response.status_code,
                method="GET",
                path="/login",
            )
        self._token = token
        logger.debug("logged in to %s as %s", self.base_url, self.username)

    def _current_token(self, deadline: float) -> str:
        with self._token_lock:
            self._check_open()
            if self._token is None:
                self._login_locked(deadline)
            assert self._token is not None
            return self._token

    def _renew_token(self, rejected: str, deadline: float) -> str:
        """Replace ``rejected`` by a fresh token unless another thread already did."""
        with self._token_lock:
            self._check_open()
            if self._token is None or self._token == rejected:
                self._token = None  # ECS refused it, so it is not live: no logout needed
                self._login_locked(deadline)
            assert self._token is not None
            return self._token

    # -- authenticated calls ---------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        deadline: float | None = None,
    ) -> requests.Response:
        """Authenticated request; returns a 2xx response or raises the matching ECSError.

        A token ECS no longer accepts (401, or 302 to /login) costs one re-login, then one resend.
        """
        self._check_open()
        if deadline is None:
            deadline = self._deadline()
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE", "HEAD")
        token = self._current_token(deadline)
        for renewed in (False, True):
            response = self._send(
                method,
                path,
                deadline=deadline,
                idempotent=idempotent,
                params=params,
                body=body,
                headers={"X-SDS-AUTH-TOKEN": token},
            )
            if not is_auth_failure(response):
                break
            fields = error_fields(response)
            if is_too_many_tokens(response.status_code, fields):
                raise too_many_tokens(self.username, method, path, response.status_code, fields)
            if renewed:
                raise ECSAuthError(
                    "ECS refused a freshly issued token",
                    http_status=response.status_code,
                    method=method,
                    path=path,
                    **fields,
                )
            logger.debug("ECS token rejected on %s %s; logging in again", method, path)
            token = self._renew_token(token, deadline)
        if 200 <= response.status_code < 300:
            return response
        raise error_for(response, method, path)

    @staticmethod
    def _json(response: requests.Response) -> Any:
        return json_body(response)

    def _parsed(self, response: requests.Response, parser: Callable[..., T], *args: Any) -> T:
        try:
            return parser(self._json(response), *args)
        except ECSMalformedResponse as exc:
            if exc.path is None and response.request is not None:
                exc.method = response.request.method
                exc.path = urlsplit(response.url).path
                exc.http_status = response.status_code
            raise

    def _get(self, path: str, parser: Callable[..., T], *args: Any, params: dict[str, Any] | None = None) -> T:
        return self._parsed(self._call("GET", path, params=params), parser, *args)

    def _pages(
        self, path: str, parser: Callable[..., tuple[list[T], str | None]], *args: Any, params: dict[str, Any]
    ) -> Iterator[T]:
        """Items of a NextMarker-paged list; a marker seen twice is a malformed reply, not a loop."""
        marker: str | None = None
        seen: set[str] = set()
        while True:
            items, marker = self._get(path, parser, *args, params={**params, "marker": marker} if marker else params)
            yield from items
            if not marker or not items:
                return
            if marker in seen:
                raise ECSMalformedResponse(f"pagination of {path} repeats a marker", path=path)
            seen.add(marker)
