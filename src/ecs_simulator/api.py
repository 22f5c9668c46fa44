"""The simulator core: routing, stats, concurrency cap, faults, auth, then the handler.

``Simulator.handle`` takes a parsed ``Request`` and returns a ``Reply``, independent of HTTP. It
never sleeps while holding the lock, and decides faults before the handler runs, so a refused call
changes nothing. In-flight calls are counted so a shutdown can wait for the last one before the
final save (no acknowledged write is lost).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import control
from .auth import Auth
from .errors import ApiError
from .faults import FaultConfig, Faults
from .handlers import routes_for
from .messages import Reply, Request
from .options import Options
from .persist import Persister, StateLock, load_state
from .profiles import DEFAULT_PROFILE, PROFILES, Profile
from .routes import Route, Router
from .state import State

__all__ = ["Reply", "Request", "Simulator"]
log = logging.getLogger("ecs_simulator")


class Simulator:
    """All mutable state behind one lock; safe to call from many server threads."""

    def __init__(
        self,
        *,
        user: str = "admin",
        password: str = "ChangeMe",
        replication_groups: list[str] | None = None,
        token_ttl: float = 8 * 3600.0,
        faults: FaultConfig | None = None,
        state_path: str | None = None,
        profile: str = DEFAULT_PROFILE,
        options: Options | None = None,
        vdc_id: str | None = None,
        vdc_name: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.lock = threading.RLock()
        self._idle = threading.Condition(self.lock)
        self.profile: Profile = PROFILES[profile]
        self.state = State(replication_groups or ["rg1"], vdc_id, vdc_name)
        self.auth = Auth(user, password, ttl=token_ttl)
        self.faults = Faults(faults or FaultConfig())
        self.default_options = options or Options()
        self.options = self.default_options
        self.router = Router(routes_for(self.profile))
        self.host = host
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.closing = False
        self.epoch = 0  # bumped by reset(): a call that was waiting (latency, slow) when it came changes nothing
        self._inflight_by_epoch: Counter[int] = Counter()
        self.persister: Persister | None = None
        self._state_lock: StateLock | None = None
        if state_path:
            self._open_state(Path(state_path))

    def _open_state(self, path: Path) -> None:
        """Lock, load (StateFileError on a bad file), then save once so the VDC identity is stored."""
        self._state_lock = StateLock(path)
        self._state_lock.acquire()
        try:
            data = load_state(path)
            if data:
                self.state.load_dict(data)
            self.persister = Persister(path, self.snapshot)
            self.persister.mark_dirty()
        except BaseException:
            self._state_lock.release()
            raise

    # -- helpers used by the control API ---------------------------------------------------
    def snapshot(self) -> str:
        with self.lock:
            return json.dumps(self.state.to_dict(), sort_keys=True)

    def stats(self) -> dict[str, Any]:
        out = {
            "requests": self.requests,
            "by_endpoint": dict(self.by_endpoint),
            "logins": self.auth.logins,
            "active_tokens": self.auth.active_tokens(),
            "in_flight": self.inflight,  # ECS calls being handled now (one a client gave up on still runs)
        }
        if self.persister is not None:
            out["state_file"] = self.persister.report()
        return out

    @property
    def inflight(self) -> int:
        """ECS calls being handled now, whichever reset they came before."""
        return sum(self._inflight_by_epoch.values())

    def reset(self) -> None:
        self.epoch += 1
        self.state.reset()
        self.auth.reset()
        self.faults.reset()
        self.options = self.default_options
        self.requests = 0
        self.by_endpoint.clear()
        self.changed()

    def changed(self) -> None:
        if self.persister is not None:
            self.persister.mark_dirty()

    def drain(self, timeout: float = 10.0) -> bool:
        """Refuse new calls and wait until none is in flight; True when all finished in time."""
        with self._idle:
            self.closing = True
            return self._idle.wait_for(lambda: self.inflight == 0, timeout)

    def close(self) -> None:
        """Final save after the last call finished, then release the state file."""
        self.drain()
        if self.persister is not None:
            self.persister.close()
        if self._state_lock is not None:
            self._state_lock.release()

    # -- request handling ------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        if req.path.startswith("/_sim/"):
            with self.lock:
                return control.handle(self, req)
        with self.lock:
            if self.closing:
                return _error(ApiError(503, 6000, "The simulator is shutting down", retryable=True))
            epoch = self.epoch
            self._inflight_by_epoch[epoch] += 1  # calls from before a reset do not count against the cap
            busy = 0 < self.options.max_concurrent < self._inflight_by_epoch[epoch]
        try:
            return self._handle(req, busy, epoch)
        finally:
            with self._idle:
                self._inflight_by_epoch[epoch] -= 1
                if not self._inflight_by_epoch[epoch]:
                    del self._inflight_by_epoch[epoch]
                if self.inflight == 0:
                    self._idle.notify_all()

    def _handle(self, req: Request, busy: bool, epoch: int) -> Reply:
        segments = [unquote(s) for s in req.path.strip("/").split("/")]
        route, params, other = self.router.match(req.method, segments)
        with self.lock:
            self.requests += 1
            self.by_endpoint[route.name if route else f"{req.method} <unknown>"] += 1
            if busy:  # python-ecsclient's table: 6000 = 503 "try again later" (ecs-field-notes.md)
                return _error(
                    ApiError(
                        503,
                        6000,
                        f"More than {self.options.max_concurrent} management requests in progress",
                        retryable=True,
                    )
                )
            if route is None:
                return _error(
                    ApiError(405, 1007, f"Method {req.method} not supported on {req.path}")
                    if other
                    else ApiError(404, 2000, f"No resource at {req.path}")
                )
            fault = self.faults.decide(route.name)
            cfg = self.faults.config
        if cfg.latency_ms:
            time.sleep(cfg.latency_ms / 1000.0)
        if fault == "drop":
            return Reply(0, drop=True)
        if fault == "absent":  # what an older ECS answers for a call it does not have
            return _error(ApiError(404, 2000, f"No resource at {req.path}"))
        if fault in ("500", "503"):
            return _error(
                ApiError(500, 7000, "Injected fault: internal error")
                if fault == "500"
                else ApiError(503, 6000, "Injected fault: service unavailable", retryable=True)
            )
        if fault == "slow":
            time.sleep(cfg.slow_ms / 1000.0)
        reply = self._run(route, req, params, epoch)
        return Reply(0, drop=True) if fault == "slow" else reply

    def _run(self, route: Route, req: Request, params: dict[str, str], epoch: int) -> Reply:
        with self.lock:
            if epoch != self.epoch:  # the ECS this call was sent to is gone: it must not log in or write in the new one
                return _error(
                    ApiError(503, 6000, "The simulator was reset while this call waited; send it again", retryable=True)
                )
            try:
                user = self._authorize(route, req)
                result = route.handler(self, req, params, user)
            except ApiError as err:
                if err.status == 401 and route.auth and self.options.expired_token == 302:
                    return Reply(302, None, (("Location", "/login"),))  # 3.6.2 Data Access Guide
                return _error(err)
            except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a type nobody checked
                log.debug("bad request %s %s", req.method, req.path, exc_info=True)
                return _error(ApiError(400, 1008, f"Parameter was provided but invalid: {exc}"))
            if route.write:
                self.changed()
        return result if isinstance(result, Reply) else Reply(200, result)

    def _authorize(self, route: Route, req: Request) -> str | None:
        if not route.auth:
            return None
        user = self.auth.check(req.token)
        if route.write and "SYSTEM_ADMIN" not in self.auth.roles(user):
            raise ApiError(403, 3000, f"User {user} lacks the SYSTEM_ADMIN role for {route.name}")
        return user


def _error(err: ApiError) -> Reply:
    return Reply(err.status, err.body())
