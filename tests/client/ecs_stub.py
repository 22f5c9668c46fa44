"""A scripted ECS stand-in on loopback (HTTP, or HTTPS with a given certificate) for client tests.

Routes map ``"METHOD /path"`` to a reply or a callable taking the request seen; ``/login`` issues
``TKN-<n>-SECRET`` tokens for Basic auth unless a test overrides it.  Produces what a faithful
simulator would not: HTML pages, truncated JSON, 302 to /login, the token cap, slow answers.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from coldfront_ecs_plugin.ecs import ECSClient

PASSWORD = "s3cret-Passw0rd"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]


@dataclass
class Stub:
    base_url: str
    seen: list[Seen] = field(default_factory=list)
    routes: dict[str, Callable[[Seen], Reply]] = field(default_factory=dict)
    tokens_issued: int = 0

    def on(self, key: str, reply: Reply | Callable[[Seen], Reply]) -> None:
        self.routes[key] = reply if callable(reply) else (lambda _s, r=reply: r)

    def calls(self, key: str) -> list[Seen]:
        method, path = key.split(" ", 1)
        return [s for s in self.seen if s.method == method and s.path == path]


def client(stub: Stub, **kwargs: Any) -> ECSClient:
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("verify", False)
    return ECSClient(stub.base_url, "admin", PASSWORD, **kwargs)


def _default(state: Stub, handler: BaseHTTPRequestHandler, seen: Seen) -> Reply:
    key = f"{seen.method} {seen.path}"
    if key == "GET /login" and key not in state.routes:
        if handler.headers.get("Authorization", "").startswith("Basic "):
            state.tokens_issued += 1
            return (200, {"user": "admin"}, {"X-SDS-AUTH-TOKEN": f"TKN-{state.tokens_issued}-SECRET"})
        return (401, {"code": 4000})
    if key == "GET /logout" and key not in state.routes:
        return (200, {"user": "admin"})
    if key in state.routes:
        return state.routes[key](seen)
    return (404, {"code": 2000, "description": "no route"})


def _handler(state: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            state.seen.append(seen)
            status, payload, *extra = _default(state, self, seen)
            if isinstance(payload, (bytes, str)):
                data, ctype = (payload.encode() if isinstance(payload, str) else payload), "text/html"
            else:
                data, ctype = (json.dumps(payload).encode() if payload is not None else b""), "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra[0] if extra else {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout test)
                pass

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler


@contextmanager
def running_stub(tls: ssl.SSLContext | None = None) -> Iterator[Stub]:
    state = Stub(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
