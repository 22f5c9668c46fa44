"""HTTP(S) plumbing: a threading HTTP/1.1 keep-alive server that hands parsed requests to ``Simulator``.

Kept lean for throughput: TLS handshakes happen in the worker thread, TCP_NODELAY is set,
and every response (status line, headers, body) goes out in a single write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from .api import Reply, Request, Simulator

log = logging.getLogger("ecs_simulator")

REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 415: "Unsupported Media Type",
           500: "Internal Server Error", 503: "Service Unavailable"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ecs-simulator"
    sys_version = ""
    server: SimServer

    def _dispatch(self) -> None:
        path, _, qs = self.path.partition("?")
        query: dict[str, str] = {}
        if qs:
            for key, value in parse_qsl(qs, keep_blank_values=True):
                query.setdefault(key, value)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = self.headers
        token = headers.get("X-SDS-AUTH-TOKEN")
        if token is None and "X-SDS-AUTH-TOKEN=" in (headers.get("Cookie") or ""):
            token = headers["Cookie"].split("X-SDS-AUTH-TOKEN=", 1)[1].split(";", 1)[0]
        req = Request(self.command, path, query, body, token, headers.get("Authorization"))
        try:
            reply = self.server.sim.handle(req)
        except Exception:  # a simulator bug must not kill the connection silently
            log.exception("unhandled error for %s %s", self.command, self.path)
            reply = Reply(500, {"code": 7000, "description": "An error occurred in the API Service",
                                "details": "simulator internal error", "retryable": False})
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body, separators=(",", ":")).encode()
        head = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}",
                f"Content-Length: {len(payload)}"]
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


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: Simulator, ssl_context: ssl.SSLContext | None,
                 verbose: bool = False) -> None:
        self.sim = sim
        self.ssl_context = ssl_context
        self.verbose = verbose
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the worker thread: the TLS handshake of one client never blocks accept()."""
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError) as exc:
                log.debug("TLS handshake failed from %s: %s", client_address, exc)
                return
        try:
            Handler(request, client_address, self)
        finally:
            if request is not None:
                with contextlib.suppress(OSError):
                    request.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.verbose:
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        scheme = "https" if self.ssl_context else "http"
        if ":" in str(host):
            host = f"[{host}]"
        return f"{scheme}://{host}:{port}"
