"""Typed client for the ECS Management REST API (the subset the plugin needs).

Knows only HTTP (requests + urllib3): no Django imports.  Written against python-ecsclient's
failure modes: no token file, no ``/user/whoami`` before every call, no shared token across
threads, TLS verification on by default, timeouts and bounded retries on every call.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from . import parse
from .errors import (
    ECSAlreadyExists,
    ECSAuthError,
    ECSBadRequest,
    ECSConfigurationError,
    ECSError,
    ECSForbidden,
    ECSMalformedResponse,
    ECSNotFound,
    ECSUnavailable,
)
from .models import (
    Bucket,
    BucketUsage,
    Capacity,
    Namespace,
    NamespaceUsage,
    ObjectUser,
    Quota,
    ReplicationGroup,
    SecretKeys,
)

SUPPORTED_API_VERSIONS = ("2", "3", "4")

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_STATUSES = frozenset({500, 502, 503, 504})
NOT_FOUND_CODES = frozenset({1004, 1019, 2000})
ALREADY_EXISTS_CODES = frozenset({1015, 40008})
BULK_BILLING_CHUNK = 100
MAX_BACKOFF = 5.0


class _Ambiguous(ECSUnavailable):
    """A non-idempotent request may or may not have been applied (timeout, dropped connection, 5xx)."""


def _seg(value: str) -> str:
    """One URL path segment; ECS URNs keep their colons raw (``urn:storageos:...``)."""
    if not isinstance(value, str) or not value:
        raise ECSBadRequest(f"invalid identifier {value!r}: must be a non-empty string")
    return quote(value, safe=":@-._~")


def _error_fields(response: requests.Response) -> dict[str, Any]:
    """ECS's code/description/details from a JSON or XML error body (best effort)."""
    text = response.text[:8192] if response.content else ""
    if not text:
        return {}
    try:
        return parse.parse_error(json.loads(text))
    except ValueError:
        pass
    out: dict[str, Any] = {}
    for key in ("code", "description", "details"):
        match = re.search(rf"<{key}>(.*?)</{key}>", text, re.S)
        if match:
            out[key] = match.group(1).strip()[:500]
    if "code" in out:
        out["code"] = int(out["code"]) if out["code"].isdigit() else None
    return out


class ECSClient:
    """One management session against one ECS endpoint.

    Thread-safe: one ``requests.Session`` with a blocking keep-alive pool of ``pool_size``; one token,
    obtained lazily by the first call, reused (never checked with ``/user/whoami``), renewed under a
    lock on 401 so concurrent 401s cause a single re-login, dropped by ``close()``.  The token lives
    only in memory and never appears in a repr, log line or exception.

    ``api_version`` is validated ("2", "3" or "4") but changes nothing on the wire: every call used
    here has the same path, headers and payload in all three (python-ecsclient shares one
    implementation too).  ``verify`` is True (system trust via certifi), False, or a CA-bundle path;
    proxies, ``.netrc`` and ``REQUESTS_CA_BUNDLE`` from the environment are ignored so behaviour
    depends only on these arguments.

    Retries: reads (GET, the bulk billing POST), quota PUT/DELETE and logins are retried up to
    ``retries`` times with exponential backoff on 500/502/503/504, connection errors and timeouts.
    Other writes are retried only when the request provably never left (connect failure); after an
    ambiguous failure creates and deletes check with a GET what happened (see ``create_namespace``).
    Every public call has a deadline of about ``(retries + 1) * timeout`` plus the backoff sleeps;
    when it passes, or retries run out, ``ECSUnavailable`` is raised.
    """

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
    ) -> None:
        self.base_url = self._check_base_url(base_url)
        if not isinstance(username, str) or not username.strip():
            raise ECSConfigurationError("ECS username is empty")
        if not isinstance(password, str) or not password:
            raise ECSConfigurationError("ECS password is empty")
        api_version = str(api_version).strip().lstrip("v")
        if api_version not in SUPPORTED_API_VERSIONS:
            raise ECSConfigurationError(
                f"unsupported ECS api_version {api_version!r}; expected one of {', '.join(SUPPORTED_API_VERSIONS)}")
        if isinstance(verify, str):
            if not verify:
                raise ECSConfigurationError("verify must be True, False or a CA bundle path, not ''")
        elif not isinstance(verify, bool):
            raise ECSConfigurationError("verify must be True, False or a CA bundle path")
        if not (isinstance(timeout, (int, float)) and timeout > 0):
            raise ECSConfigurationError("timeout must be a positive number of seconds")
        if not (isinstance(retries, int) and retries >= 0):
            raise ECSConfigurationError("retries must be an integer >= 0")
        if not (isinstance(backoff, (int, float)) and backoff >= 0):
            raise ECSConfigurationError("backoff must be >= 0")
        if not (isinstance(pool_size, int) and pool_size >= 1):
            raise ECSConfigurationError("pool_size must be an integer >= 1")

        self.username = username
        self.__password = password
        self.verify = verify
        self.timeout = float(timeout)
        self.api_version = api_version
        self.retries = retries
        self.backoff = float(backoff)
        self.pool_size = pool_size

        self._session = requests.Session()
        self._session.trust_env = False
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # token only in our header
        self._session.headers.update({"Accept": "application/json"})
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, pool_block=True, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

        self._token: str | None = None
        self._token_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._request_count = 0
        self._closed = False

    @staticmethod
    def _check_base_url(base_url: str) -> str:
        if not isinstance(base_url, str) or not base_url.strip():
            raise ECSConfigurationError("ECS base URL is empty")
        url = base_url.strip().rstrip("/")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ECSConfigurationError(f"ECS base URL {url!r} is not a valid URL") from None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ECSConfigurationError(
                f"ECS base URL {url!r} must look like https://ecs.example.org:4443 (scheme and host required)")
        if parts.username or parts.password:
            raise ECSConfigurationError("ECS base URL must not embed credentials")
        if parts.query or parts.fragment:
            raise ECSConfigurationError(f"ECS base URL {parts.scheme}://{parts.hostname} must not have a query")
        if port == 0:
            raise ECSConfigurationError(f"ECS base URL {url!r} has port 0")
        return url

    def __repr__(self) -> str:
        return f"ECSClient({self.base_url!r}, user={self.username!r}, api_version={self.api_version!r})"

    # -- session -------------------------------------------------------------------------
    def __enter__(self) -> ECSClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

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
            # logout is idempotent: retried like a read (a lost logout would hold one of the
            # user's 100 tokens for hours), but within a short deadline so close() stays quick
            deadline = min(self._deadline(), time.monotonic() + 3 * min(self.timeout, 10.0))
            try:
                self._send("GET", "/logout", deadline=deadline, idempotent=True,
                           headers={"X-SDS-AUTH-TOKEN": token})
            except Exception as exc:  # close() must not raise; the token expires on its own
                logger.warning("ECS logout from %s failed: %s", self.base_url, type(exc).__name__)
        if not already_closed:
            self._session.close()

    @property
    def request_count(self) -> int:
        """HTTP requests this client has sent (logins, logouts and retries included)."""
        return self._request_count

    def whoami(self) -> dict:
        """The caller's identity; explicit only (the client never validates tokens with it)."""
        return self._json(self._call("GET", "/user/whoami"))

    # -- plumbing ------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise ECSConfigurationError("ECSClient is closed")

    def _count(self) -> None:
        with self._count_lock:
            self._request_count += 1

    def _deadline(self) -> float:
        sleeps = sum(min(self.backoff * 2**i, MAX_BACKOFF) for i in range(self.retries))
        return time.monotonic() + (self.retries + 1) * self.timeout + sleeps + 0.5

    def _sleep(self, attempt: int, deadline: float) -> None:
        delay = min(self.backoff * 2**attempt, MAX_BACKOFF) * random.uniform(0.5, 1.0)
        time.sleep(max(0.0, min(delay, deadline - time.monotonic())))

    def _send(self, method: str, path: str, *, deadline: float, idempotent: bool,
              params: dict[str, Any] | None = None, body: Any = None, headers: dict[str, str] | None = None,
              auth: tuple[str, str] | None = None) -> requests.Response:
        """Send with bounded retries; returns any HTTP answer except retryable 5xx.

        Raises ECSUnavailable when retries or the deadline run out, and ``_Ambiguous`` when a
        non-idempotent request failed in a way that may have reached ECS.
        """
        url = self.base_url + path
        send_headers = dict(headers or {})
        if method == "DELETE":
            send_headers["Accept"] = "*/*"  # ECS 2.x answered DELETE in XML whatever was asked
        data = None
        if body is not None:
            data = json.dumps(body)
            send_headers["Content-Type"] = "application/json"
        if isinstance(self.verify, str) and not Path(self.verify).is_file():
            # checked per call, not at construction: the bundle may be written after the client is built
            raise ECSConfigurationError(f"CA bundle {self.verify!r} does not exist", method=method, path=path)
        last = "deadline passed before the request could be sent"
        attempts = 0
        for attempt in range(self.retries + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                break
            timeout = min(self.timeout, remaining)
            attempts += 1
            self._count()
            try:
                response = self._session.request(
                    method, url, params=params, data=data, headers=send_headers, auth=auth,
                    verify=self.verify, timeout=(timeout, timeout), allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc):
                    raise ECSConfigurationError(
                        f"TLS certificate of {self.base_url} not trusted: set verify to the ECS CA bundle",
                        method=method, path=path) from None
                last, sent = f"TLS error ({type(exc).__name__})", True
            except requests.exceptions.ConnectTimeout:
                last, sent = f"connect timeout after {timeout:.1f}s", False
            except requests.exceptions.ReadTimeout:
                last, sent = f"no answer within {timeout:.1f}s", True
            except requests.exceptions.ConnectionError as exc:
                sent = not self._never_sent(exc)
                last = f"connection error ({self._reason(exc)})"
            except requests.exceptions.RequestException as exc:
                raise ECSUnavailable(f"request to ECS failed: {type(exc).__name__}", method=method,
                                     path=path) from None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                fields = _error_fields(response)
                last, sent = f"ECS answered HTTP {response.status_code}", True
                if not idempotent:
                    raise _Ambiguous(f"{last}; the request may or may not have been applied",
                                     http_status=response.status_code, method=method, path=path, **fields)
            if sent and not idempotent:
                raise _Ambiguous(f"{last}; the request may or may not have been applied", method=method, path=path)
            logger.debug("ECS %s %s attempt %d failed: %s", method, path, attempt + 1, last)
            if attempt < self.retries:
                self._sleep(attempt, deadline)
        raise ECSUnavailable(f"ECS at {self.base_url} unavailable after {attempts} attempt(s): {last}",
                             method=method, path=path)

    @staticmethod
    def _never_sent(exc: requests.exceptions.ConnectionError) -> bool:
        """True when the connection itself failed, so ECS cannot have seen the request."""
        seen: set[int] = set()
        node: BaseException | None = exc
        while node is not None and id(node) not in seen:
            seen.add(id(node))
            if isinstance(node, (NewConnectionError, ConnectTimeoutError, NameResolutionError,
                                 ConnectionRefusedError)):
                return True
            reason = getattr(node, "reason", None)
            if isinstance(reason, BaseException):
                node = reason
                continue
            args = getattr(node, "args", ())
            node = next((a for a in args if isinstance(a, BaseException)), None) or node.__cause__ or node.__context__
        return False

    @staticmethod
    def _reason(exc: BaseException) -> str:
        text = str(exc)
        match = re.search(r"\[Errno [^\]]+\][^')\"]*|Connection refused|RemoteDisconnected[^')\"]*"
                          r"|Connection aborted|Connection reset by peer", text)
        return match.group(0).strip() if match else type(exc).__name__

    def _login_locked(self, deadline: float) -> None:
        """GET /login with Basic auth; the caller holds ``_token_lock``."""
        response = self._send("GET", "/login", deadline=deadline, idempotent=True,
                              auth=(self.username, self.__password))
        if response.status_code in (401, 403):
            raise ECSAuthError(f"ECS rejected the credentials of user {self.username!r}",
                               http_status=response.status_code, method="GET", path="/login",
                               **_error_fields(response))
        if not 200 <= response.status_code < 300:
            raise self._error(response, "GET", "/login")
        token = response.headers.get("X-SDS-AUTH-TOKEN", "").strip()
        if not token:
            raise ECSMalformedResponse("ECS login answered 200 without an X-SDS-AUTH-TOKEN header",
                                       http_status=response.status_code, method="GET", path="/login")
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

    @staticmethod
    def _is_auth_failure(response: requests.Response) -> bool:
        if response.status_code == 401:
            return True
        # Without redirect following an expired token is a 302 to /login.
        return response.status_code in (302, 303, 307) and "/login" in response.headers.get("Location", "")

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
              idempotent: bool | None = None, deadline: float | None = None) -> requests.Response:
        """Authenticated request; returns a 2xx response or raises the matching ECSError."""
        self._check_open()
        if deadline is None:
            deadline = self._deadline()
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE", "HEAD")
        token = self._current_token(deadline)
        for renewed in (False, True):
            response = self._send(method, path, deadline=deadline, idempotent=idempotent, params=params,
                                  body=body, headers={"X-SDS-AUTH-TOKEN": token})
            if not self._is_auth_failure(response):
                break
            if renewed:
                raise ECSAuthError("ECS refused a freshly issued token", http_status=response.status_code,
                                   method=method, path=path, **_error_fields(response))
            logger.debug("ECS token rejected on %s %s; logging in again", method, path)
            token = self._renew_token(token, deadline)
        if 200 <= response.status_code < 300:
            return response
        raise self._error(response, method, path)

    @staticmethod
    def _error(response: requests.Response, method: str, path: str) -> ECSError:
        status = response.status_code
        fields = _error_fields(response)
        code = fields.get("code")
        summary = fields.get("details") or fields.get("description") or response.reason or "error"
        kwargs = {"http_status": status, "method": method, "path": path, **fields}
        if status == 404 or code in NOT_FOUND_CODES:
            return ECSNotFound(f"not found: {summary}", **kwargs)
        if code in ALREADY_EXISTS_CODES:
            return ECSAlreadyExists(f"already exists: {summary}", **kwargs)
        if status == 401:
            return ECSAuthError(f"authentication failed: {summary}", **kwargs)
        if status == 403:
            return ECSForbidden(f"forbidden: {summary}", **kwargs)
        if status >= 500:
            return ECSUnavailable(f"ECS error: {summary}", **kwargs)
        if 300 <= status < 400:
            return ECSBadRequest(f"unexpected redirect ({response.headers.get('Location', '')[:100]})", **kwargs)
        return ECSBadRequest(f"request refused: {summary}", **kwargs)

    @staticmethod
    def _json(response: requests.Response) -> Any:
        """Decoded JSON object of a 2xx answer; HTML, XML, truncated or non-object bodies are malformed."""
        method = response.request.method if response.request is not None else None
        path = urlsplit(response.url).path if response.url else None
        text = response.text
        stripped = text.lstrip()
        if not stripped:
            raise ECSMalformedResponse("ECS answered with an empty body where JSON was expected",
                                       http_status=response.status_code, method=method, path=path)
        if stripped.startswith("<"):
            kind = "HTML" if stripped[:200].lower().startswith(("<!doctype html", "<html")) else "XML"
            raise ECSMalformedResponse(f"ECS answered with {kind} instead of JSON (proxy or login page?)",
                                       http_status=response.status_code, method=method, path=path)
        try:
            data = json.loads(text)
        except ValueError:
            raise ECSMalformedResponse("ECS answered with invalid or truncated JSON",
                                       http_status=response.status_code, method=method, path=path) from None
        if not isinstance(data, dict):
            raise ECSMalformedResponse(f"ECS answered with a JSON {type(data).__name__}, expected an object",
                                       http_status=response.status_code, method=method, path=path)
        return data

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

    def _pages(self, path: str, parser: Callable[..., tuple[list[T], str | None]], *args: Any,
               params: dict[str, Any]) -> Iterator[T]:
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

    def _reconciled(self, what: str, send: Callable[[float], T], check: Callable[[], T | None],
                    deadline: float) -> T:
        """Run a non-idempotent write; after an ambiguous failure, ask ECS whether it took effect.

        ``check`` returns the outcome if the write is visible (entity exists / is gone), else None.
        """
        ambiguous: _Ambiguous | None = None
        for attempt in range(self.retries + 1):
            try:
                return send(deadline)
            except _Ambiguous as exc:
                ambiguous = exc
            except ECSAlreadyExists:
                if ambiguous is None:
                    raise
                # our earlier, ambiguous attempt most likely created it
                outcome = check()
                if outcome is not None:
                    return outcome
                raise
            try:
                outcome = check()
            except ECSUnavailable:
                break
            if outcome is not None:
                logger.info("ECS %s: ambiguous failure, but ECS shows it took effect", what)
                return outcome
            if attempt < self.retries and deadline - time.monotonic() > 0.05:
                self._sleep(attempt, deadline)
            else:
                break
        detail = f": {ambiguous.message}" if ambiguous is not None else ""
        raise ECSUnavailable(f"{what}: outcome unknown and ECS could not confirm it{detail}",
                             http_status=ambiguous.http_status if ambiguous else None,
                             method=ambiguous.method if ambiguous else None,
                             path=ambiguous.path if ambiguous else None)

    # -- namespaces ----------------------------------------------------------------------
    def list_namespaces(self, *, page_size: int = 100) -> Iterator[Namespace]:
        """Every namespace, following NextMarker (each page is one call with its own deadline)."""
        yield from self._pages("/object/namespaces", parse.parse_namespace_list, params={"limit": page_size})

    def get_namespace(self, name: str) -> Namespace:
        """Raises ECSNotFound when ECS says it does not exist; any other error is raised as is."""
        return self._get(f"/object/namespaces/namespace/{_seg(name)}", parse.parse_namespace)

    def namespace_exists(self, name: str) -> bool:
        """True/False only on a definite answer; errors other than not-found propagate."""
        try:
            self.get_namespace(name)
        except ECSNotFound:
            return False
        return True

    def _find_namespace(self, name: str) -> Namespace | None:
        try:
            return self.get_namespace(name)
        except ECSNotFound:
            return None

    def create_namespace(self, name: str, *, replication_group_id: str | None = None,
                         user_mapping: list[dict] | None = None) -> Namespace:
        """Create a namespace; ECSAlreadyExists if it exists.

        No pre-check GET.  On an ambiguous failure (timeout, dropped connection, 5xx) the client
        GETs the namespace: if it exists it is returned as created (ECS shows the write took
        effect; the caller cannot tell it from a concurrent creator, as with any create), if not
        the POST is retried within the bound.  If ECS cannot be asked, ECSUnavailable is raised
        and the caller must reconcile later.  A refused create (400) for a namespace that exists
        is reported as ECSAlreadyExists whatever ECS's code.  ``user_mapping`` entries are
        ``{"domain", "groups": [...], "attributes": [...]}`` (attributes default to []).
        """
        _seg(name)
        mapping = [{"domain": m.get("domain"), "groups": list(m.get("groups") or []),
                    "attributes": list(m.get("attributes") or [])} for m in (user_mapping or [])]
        body = {"namespace": name, "default_data_services_vpool": replication_group_id, "user_mapping": mapping}

        def send(deadline: float) -> Namespace:
            try:
                response = self._call("POST", "/object/namespaces/namespace", body=body, idempotent=False,
                                      deadline=deadline)
            except ECSBadRequest as exc:
                if self._find_namespace(name) is not None:
                    raise ECSAlreadyExists(f"namespace {name!r} already exists", http_status=exc.http_status,
                                           code=exc.code, description=exc.description, details=exc.details,
                                           method=exc.method, path=exc.path) from None
                raise
            if not response.content.strip():
                return Namespace(name=name, default_replication_group=replication_group_id,
                                 user_mapping=tuple(mapping))
            return self._parsed(response, parse.parse_namespace)

        return self._reconciled(f"create namespace {name!r}", send, lambda: self._find_namespace(name),
                                self._deadline())

    def delete_namespace(self, name: str) -> None:
        """Deactivate (delete) a namespace; ECSNotFound if absent.  Ambiguous failures are checked with a GET."""
        path = f"/object/namespaces/namespace/{_seg(name)}/deactivate"

        def send(deadline: float) -> bool:
            self._call("POST", path, body={}, idempotent=False, deadline=deadline)
            return True

        self._reconciled(f"delete namespace {name!r}", send,
                         lambda: True if self._find_namespace(name) is None else None, self._deadline())

    def get_namespace_quota(self, name: str) -> Quota:
        return self._get(f"/object/namespaces/namespace/{_seg(name)}/quota", parse.parse_quota)

    def set_namespace_quota(self, name: str, block_size_gb: int, notification_size_gb: int) -> None:
        """PUT the quota (idempotent, so retried like a read)."""
        body = {"blockSize": self._gb(block_size_gb, "block_size_gb"),
                "notificationSize": self._gb(notification_size_gb, "notification_size_gb")}
        self._call("PUT", f"/object/namespaces/namespace/{_seg(name)}/quota", body=body)

    def delete_namespace_quota(self, name: str) -> None:
        self._call("DELETE", f"/object/namespaces/namespace/{_seg(name)}/quota")

    @staticmethod
    def _gb(value: int, name: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or (value < 1 and value != -1):
            raise ECSBadRequest(f"{name} must be an integer >= 1 or -1 (unlimited), got {value!r}")
        return value

    # -- buckets -------------------------------------------------------------------------
    def list_buckets(self, namespace: str, *, page_size: int = 100) -> Iterator[Bucket]:
        """Every bucket of ``namespace`` (always sent: ECS 3.8 rejects an empty filter), following NextMarker."""
        _seg(namespace)
        yield from self._pages("/object/bucket", parse.parse_bucket_list, namespace,
                               params={"namespace": namespace, "limit": page_size})

    def get_bucket(self, namespace: str, bucket: str) -> Bucket:
        return self._get(f"/object/bucket/{_seg(bucket)}/info", parse.parse_bucket, namespace,
                         params={"namespace": namespace})

    def bucket_exists(self, namespace: str, bucket: str) -> bool:
        try:
            self.get_bucket(namespace, bucket)
        except ECSNotFound:
            return False
        return True

    def _find_bucket(self, namespace: str, bucket: str) -> Bucket | None:
        try:
            return self.get_bucket(namespace, bucket)
        except ECSNotFound:
            return None

    def create_bucket(self, namespace: str, bucket: str, *, replication_group_id: str | None = None,
                      filesystem_enabled: bool = False, head_type: str = "s3",
                      quota: Quota | None = None) -> Bucket:
        """Create a bucket (with its quota in the same call when given); ECSAlreadyExists if it exists.

        Same ambiguity handling as ``create_namespace``: after a timeout/dropped connection/5xx the
        bucket is looked up and returned if present, otherwise the POST is retried within the bound,
        and ECSUnavailable means "unknown, reconcile later".  The Bucket is built from the request
        and ECS's answer, without an extra GET.
        """
        _seg(namespace)
        _seg(bucket)
        body: dict[str, Any] = {"name": bucket, "namespace": namespace, "vpool": replication_group_id or "",
                                "filesystem_enabled": bool(filesystem_enabled), "head_type": head_type}
        if quota is not None:
            body["blockSize"] = self._gb(quota.block_size_gb, "block_size_gb")
            body["notificationSize"] = self._gb(quota.notification_size_gb, "notification_size_gb")

        def send(deadline: float) -> Bucket:
            try:
                response = self._call("POST", "/object/bucket", body=body, idempotent=False, deadline=deadline)
            except ECSBadRequest as exc:
                if self._find_bucket(namespace, bucket) is not None:
                    raise ECSAlreadyExists(f"bucket {bucket!r} already exists in namespace {namespace!r}",
                                           http_status=exc.http_status, code=exc.code,
                                           description=exc.description, details=exc.details,
                                           method=exc.method, path=exc.path) from None
                raise
            if response.content.strip():
                self._json(response)  # a 2xx HTML/XML page is malformed, even on create
            return Bucket(name=bucket, namespace=namespace, replication_group=replication_group_id or None,
                          filesystem_enabled=bool(filesystem_enabled), quota=quota)

        return self._reconciled(f"create bucket {namespace}/{bucket}", send,
                                lambda: self._find_bucket(namespace, bucket), self._deadline())

    def delete_bucket(self, namespace: str, bucket: str) -> None:
        """Deactivate (delete) an empty bucket; ECSNotFound if absent.  Ambiguous failures are checked with a GET."""
        path = f"/object/bucket/{_seg(bucket)}/deactivate"

        def send(deadline: float) -> bool:
            self._call("POST", path, params={"namespace": namespace}, body={}, idempotent=False, deadline=deadline)
            return True

        self._reconciled(f"delete bucket {namespace}/{bucket}", send,
                         lambda: True if self._find_bucket(namespace, bucket) is None else None, self._deadline())

    def get_bucket_quota(self, namespace: str, bucket: str) -> Quota:
        return self._get(f"/object/bucket/{_seg(bucket)}/quota", parse.parse_quota, params={"namespace": namespace})

    def set_bucket_quota(self, namespace: str, bucket: str, block_size_gb: int,
                         notification_size_gb: int) -> None:
        """PUT the quota (idempotent).  ECS refuses -1/-1: use ``delete_bucket_quota`` to clear it."""
        body = {"blockSize": self._gb(block_size_gb, "block_size_gb"),
                "notificationSize": self._gb(notification_size_gb, "notification_size_gb"),
                "namespace": namespace}
        self._call("PUT", f"/object/bucket/{_seg(bucket)}/quota", body=body)

    def delete_bucket_quota(self, namespace: str, bucket: str) -> None:
        self._call("DELETE", f"/object/bucket/{_seg(bucket)}/quota", params={"namespace": namespace})

    # -- usage and capacity --------------------------------------------------------------
    def get_bucket_usage(self, namespace: str, bucket: str) -> BucketUsage:
        """GET billing with sizeunit=KB; size converted to bytes (KB = 1024)."""
        return self._get(f"/object/billing/buckets/{_seg(namespace)}/{_seg(bucket)}/info",
                         parse.parse_bucket_usage, namespace, bucket, params={"sizeunit": "KB"})

    def get_bucket_usages(self, namespace: str, buckets: Iterable[str]) -> dict[str, BucketUsage]:
        """Bulk POST billing; buckets missing from ECS's answer are absent from the dict.

        The POST is a read, so it is retried like a GET; names are sent in chunks of 100.
        """
        names = list(dict.fromkeys(buckets))
        result: dict[str, BucketUsage] = {}
        path = f"/object/billing/buckets/{_seg(namespace)}/info"
        for start in range(0, len(names), BULK_BILLING_CHUNK):
            chunk = names[start:start + BULK_BILLING_CHUNK]
            response = self._call("POST", path, params={"sizeunit": "KB"}, body={"id": chunk}, idempotent=True)
            usages = self._parsed(response, parse.parse_bucket_usages, namespace)
            result.update({name: usage for name, usage in usages.items() if name in chunk})
        return result

    def get_namespace_usage(self, namespace: str, *, include_buckets: bool = True) -> NamespaceUsage:
        """Namespace billing, following next_marker through every page of bucket detail."""
        path = f"/object/billing/namespace/{_seg(namespace)}/info"
        params: dict[str, Any] = {"sizeunit": "KB", "include_bucket_detail": "true" if include_buckets else "false"}
        page = self._get(path, parse.parse_namespace_billing, namespace, params=params)
        first = page.usage
        buckets = dict(first.buckets)
        seen: set[str] = set()
        while include_buckets and page.next_marker:
            if page.next_marker in seen:
                raise ECSMalformedResponse("namespace billing pagination repeats a marker", path=path)
            seen.add(page.next_marker)
            page = self._get(path, parse.parse_namespace_billing, namespace,
                             params={**params, "marker": page.next_marker})
            if not page.usage.buckets:
                break
            buckets.update(page.usage.buckets)
        return NamespaceUsage(namespace=first.namespace, size_bytes=first.size_bytes, objects=first.objects,
                              buckets=buckets, sample_time=first.sample_time)

    def get_capacity(self) -> Capacity:
        return self._get("/object/capacity", parse.parse_capacity)

    # -- replication groups --------------------------------------------------------------
    def list_replication_groups(self) -> list[ReplicationGroup]:
        return self._get("/vdc/data-service/vpools", parse.parse_replication_groups)

    def get_replication_group(self, group_id: str) -> ReplicationGroup:
        return self._get(f"/vdc/data-service/vpools/{_seg(group_id)}", parse.parse_replication_group)

    def replication_group_id(self, name: str) -> str:
        """Id (URN) of the group with this exact name; ECSNotFound naming the known groups."""
        groups = self.list_replication_groups()
        for group in groups:
            if group.name == name:
                return group.id
        known = ", ".join(sorted(g.name for g in groups)) or "none"
        raise ECSNotFound(f"replication group {name!r} not found (known: {known})")

    # -- object users and secret keys ----------------------------------------------------
    def _find_user(self, userid: str, namespace: str) -> ObjectUser | None:
        try:
            self._call("GET", f"/object/users/{_seg(userid)}/info", params={"namespace": namespace})
        except ECSNotFound:
            return None
        return ObjectUser(userid=userid, namespace=namespace)

    def create_object_user(self, userid: str, namespace: str, tags: dict[str, str] | None = None) -> ObjectUser:
        """Create an object user (its id is the S3 access key id); ambiguity handled like ``create_namespace``."""
        _seg(userid)
        body: dict[str, Any] = {"user": userid, "namespace": namespace}
        if tags:
            body["tags"] = [{"name": k, "value": v} for k, v in tags.items()]

        def send(deadline: float) -> ObjectUser:
            try:
                self._call("POST", "/object/users", body=body, idempotent=False, deadline=deadline)
            except ECSBadRequest as exc:
                if self._find_user(userid, namespace) is not None:
                    raise ECSAlreadyExists(f"object user {userid!r} already exists", http_status=exc.http_status,
                                           code=exc.code, description=exc.description, details=exc.details,
                                           method=exc.method, path=exc.path) from None
                raise
            return ObjectUser(userid=userid, namespace=namespace)

        return self._reconciled(f"create object user {userid!r}", send, lambda: self._find_user(userid, namespace),
                                self._deadline())

    def list_object_users(self, namespace: str | None = None) -> list[ObjectUser]:
        """All object users (of one namespace when given), following NextMarker."""
        path = f"/object/users/{_seg(namespace)}" if namespace else "/object/users"
        return [ObjectUser(u.userid, u.namespace or (namespace or ""))
                for u in self._pages(path, parse.parse_object_users, params={"limit": 100})]

    def delete_object_user(self, userid: str, namespace: str) -> None:
        """Deactivate the user (ECS also deletes its keys); ECSNotFound if absent."""

        def send(deadline: float) -> bool:
            self._call("POST", "/object/users/deactivate", body={"user": userid, "namespace": namespace},
                       idempotent=False, deadline=deadline)
            return True

        self._reconciled(f"delete object user {userid!r}", send,
                         lambda: True if self._find_user(userid, namespace) is None else None, self._deadline())

    def create_secret_key(self, userid: str, namespace: str, *, expiry_minutes: int | None = None) -> str:
        """New secret key (ECS-generated).  Never retried after an ambiguous failure: ECSUnavailable instead.

        ``expiry_minutes`` sets when the user's *existing* key expires.
        """
        body: dict[str, Any] = {"namespace": namespace}
        if expiry_minutes is not None:
            body["existing_key_expiry_time_mins"] = str(int(expiry_minutes))
        try:
            response = self._call("POST", f"/object/user-secret-keys/{_seg(userid)}", body=body, idempotent=False)
        except _Ambiguous as exc:
            raise ECSUnavailable(f"create secret key for {userid!r}: outcome unknown ({exc.message})",
                                 http_status=exc.http_status, method=exc.method, path=exc.path) from None
        return self._parsed(response, parse.parse_new_secret_key)

    def get_secret_keys(self, userid: str, namespace: str) -> SecretKeys:
        return self._get(f"/object/user-secret-keys/{_seg(userid)}/{_seg(namespace)}", parse.parse_secret_keys,
                         userid)

    def delete_secret_key(self, userid: str, namespace: str, secret_key: str | None = None) -> None:
        """Delete one key, or all of the user's keys when ``secret_key`` is None.  Not retried when ambiguous."""
        body: dict[str, Any] = {"namespace": namespace}
        if secret_key:
            body["secret_key"] = secret_key
        try:
            self._call("POST", f"/object/user-secret-keys/{_seg(userid)}/deactivate", body=body, idempotent=False)
        except _Ambiguous as exc:
            raise ECSUnavailable(f"delete secret key of {userid!r}: outcome unknown ({exc.message})",
                                 http_status=exc.http_status, method=exc.method, path=exc.path) from None
