"""A tiny ECS stand-in over plain HTTP that answers chosen paths with chosen (possibly malformed) bodies."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubECS:
    """HTTP server on 127.0.0.1 answering /login with a token and chosen bodies for chosen paths.

    ``replies`` maps ``"METHOD /path"`` to ``(status, content_type, body)``; anything else is 404 JSON.
    """

    TOKEN = "STUB-TOKEN-0123456789"

    def __init__(self) -> None:
        self.replies: dict[str, tuple[int, str, str]] = {}
        self.seen: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                key = f"{self.command} {path}"
                stub.seen.append(key)
                if key == "GET /login":
                    self.send_response(200)
                    self.send_header("X-SDS-AUTH-TOKEN", stub.TOKEN)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if key == "GET /logout":
                    status, ctype, body = 200, "application/json", "{}"
                else:
                    status, ctype, body = stub.replies.get(
                        key,
                        (
                            404,
                            "application/json",
                            json.dumps({"code": 1004, "description": "not found", "details": path}),
                        ),
                    )
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
