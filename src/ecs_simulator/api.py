"""The simulator core: routing, stats, faults, auth, then the handler — independent of HTTP plumbing.

``Simulator.handle`` takes a parsed ``Request`` and returns a ``Reply``; it never sleeps while
holding the lock, and decides faults before the handler runs so a failed call changes nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import control
from .auth import Auth
from .errors import ApiError
from .faults import FaultConfig, Faults
from .handlers import ROUTES
from .routes import Router
from .state import Persister, State


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes = b""
    token: str | None = None
    authorization: str | None = None


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able, or None for an empty body
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False  # close the connection without answering


class Simulator:
    """All mutable state behind one lock; safe to call from many server threads."""

    def __init__(self, *, user: str = "admin", password: str = "ChangeMe",
                 replication_groups: list[str] | None = None, token_ttl: float = 8 * 3600.0,
                 faults: FaultConfig | None = None, state_path: str | None = None) -> None:
        self.lock = threading.RLock()
        self.state = State(replication_groups or ["rg1"])
        self.auth = Auth(user, password, ttl=token_ttl)
        self.faults = Faults(faults or FaultConfig())
        self.router = Router(ROUTES)
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.persister: Persister | None = None
        if state_path:
            self.persister = Persister(state_path, self.snapshot)
            data = self.persister.load()
            if data:
                self.state.load_dict(data)

    # -- helpers used by the control API ---------------------------------------------------
    def snapshot(self) -> str:
        with self.lock:
            return json.dumps(self.state.to_dict(), sort_keys=True)

    def stats(self) -> dict[str, Any]:
        return {"requests": self.requests, "by_endpoint": dict(self.by_endpoint),
                "logins": self.auth.logins, "active_tokens": self.auth.active_tokens()}

    def reset(self) -> None:
        self.state.reset()
        self.auth.reset()
        self.faults.reset()
        self.requests = 0
        self.by_endpoint.clear()
        self.changed()

    def changed(self) -> None:
        if self.persister is not None:
            self.persister.mark_dirty()

    def close(self) -> None:
        if self.persister is not None:
            self.persister.close()

    # -- request handling ------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        if req.path.startswith("/_sim/"):
            with self.lock:
                return control.handle(self, req)
        segments = [unquote(s) for s in req.path.strip("/").split("/")]
        route, params, other = self.router.match(req.method, segments)
        with self.lock:
            self.requests += 1
            name = route.name if route else f"{req.method} <unknown>"
            self.by_endpoint[name] += 1
            if route is None:
                err = ApiError(405, 1007, f"Method {req.method} not supported on {req.path}") if other else \
                    ApiError(404, 2000, f"No resource at {req.path}")
                return Reply(err.status, err.body())
            fault = self.faults.decide(route.name)
            cfg = self.faults.config
        if cfg.latency_ms:
            time.sleep(cfg.latency_ms / 1000.0)
        if fault == "drop":
            return Reply(0, drop=True)
        if fault == "500":
            return Reply(500, ApiError(500, 7000, "Injected fault: internal error").body())
        if fault == "503":
            return Reply(503, ApiError(503, 6000, "Injected fault: service unavailable", retryable=True).body())
        if fault == "slow":
            time.sleep(cfg.slow_ms / 1000.0)
        with self.lock:
            try:
                user = None
                if route.auth:
                    user = self.auth.check(req.token)
                    if route.write and "SYSTEM_ADMIN" not in self.auth.roles(user):
                        raise ApiError(403, 3000, f"User {user} lacks the SYSTEM_ADMIN role for {route.name}")
                result = route.handler(self, req, params, user)
            except ApiError as err:
                return Reply(err.status, err.body())
            if route.write:
                self.changed()
        return result if isinstance(result, Reply) else Reply(200, result)
