"""HTTP(S) plumbing: an HTTP/1.1 keep-alive server with a bounded worker pool, feeding ``Simulator``.

Kept lean for throughput: TLS handshakes happen in the worker thread, TCP_NODELAY is set, and every
response goes out in a single write. Kept safe: at most ``max_threads`` connections are served at
once (others wait in the listen backlog), TLS handshakes and idle keep-alive connections time out,
and bodies are read with a size limit (see ``body``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl

from .api import Simulator
from .body import DEFAULT_LIMIT, BodyError, content_type_ok, read_body
from .errors import ApiError
from .messages import Reply, Request

log = logging.getLogger("ecs_simulator")

REASONS = {
    200: "OK",
    202: "Accepted",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ecs-simulator"
    sys_version = ""
    server: SimServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # idle keep-alive connections are closed

    def _request(self) -> Request | Reply:
        """The parsed request, or the error reply for a body that cannot be read or is not JSON."""
        path, _, qs = self.path.partition("?")
        query: dict[str, str] = {}
        for key, value in parse_qsl(qs, keep_blank_values=True):
            query.setdefault(key, value)
        try:
            body = read_body(self.rfile, self.headers, self.server.max_body)
        except BodyError as exc:
            self.close_connection = True  # the rest of the body was not read
            return Reply(exc.status, ApiError(exc.status, exc.code, exc.details).body())
        if body and not content_type_ok(self.headers):
            return Reply(
                415,
                ApiError(
                    415, 1003, f"Content-Type {self.headers['Content-Type']!r} is not supported; send application/json"
                ).body(),
            )
        token = self.headers.get("X-SDS-AUTH-TOKEN")
        cookie = self.headers.get("Cookie") or ""
        if token is None and "X-SDS-AUTH-TOKEN=" in cookie:
            token = cookie.split("X-SDS-AUTH-TOKEN=", 1)[1].split(";", 1)[0]
        return Request(self.command, path, query, body, token, self.headers.get("Authorization"))

    def _dispatch(self) -> None:
        started = time.perf_counter()
        req = self._request()
        if isinstance(req, Reply):
            reply = req
        else:
            try:
                reply = self.server.sim.handle(req)
            except Exception:  # a simulator bug must not kill the connection silently
                log.exception("unhandled error for %s %s", self.command, self.path)
                reply = Reply(500, ApiError(500, 7000, "simulator internal error").body())
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._send(reply)
        if self.server.verbose:
            log.info(
                '%s "%s %s" %s %.1fms',
                self.client_address[0],
                self.command,
                self.path,
                "dropped" if reply.drop else reply.status,
                (time.perf_counter() - started) * 1000,
            )

    def _send(self, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body, separators=(",", ":")).encode()
        head = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}", f"Content-Length: {len(payload)}"]
        if payload:
            head.append("Content-Type: application/json")
        head.extend(f"{k}: {v}" for k, v in reply.headers)
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            log.info("%s - %s", self.address_string(), format % args)


class SimServer(HTTPServer):
    """One daemon thread per connection, at most ``max_threads`` at a time."""

    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        sim: Simulator,
        ssl_context: ssl.SSLContext | None,
        verbose: bool = False,
        *,
        max_threads: int = 64,
        idle_timeout: float = 60.0,
        handshake_timeout: float = 10.0,
        max_body: int = DEFAULT_LIMIT,
    ) -> None:
        self.sim = sim
        self.ssl_context = ssl_context
        self.verbose = verbose
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self.max_body = max_body
        self._slots = threading.BoundedSemaphore(max_threads)
        self._stopping = threading.Event()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        while not self._slots.acquire(timeout=0.5):  # full: leave the next client in the backlog
            if self._stopping.is_set():
                self.shutdown_request(request)
                return
        threading.Thread(target=self._work, args=(request, client_address), daemon=True).start()

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the worker thread: the TLS handshake of one client never blocks accept()."""
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            request.settimeout(self.handshake_timeout)
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError) as exc:
                log.debug("TLS handshake failed from %s: %s", client_address, exc)
                return
        try:
            Handler(request, client_address, self)
        finally:
            with contextlib.suppress(OSError):
                request.close()

    def shutdown(self) -> None:
        self._stopping.set()
        super().shutdown()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.verbose:
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        scheme = "https" if self.ssl_context else "http"
        if ":" in str(host):
            host = f"[{host}]"
        return f"{scheme}://{host}:{port}"
