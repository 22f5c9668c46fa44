"""Management users and ``X-SDS-AUTH-TOKEN`` tokens with ECS's lifetime rules.

A token dies after ``ttl`` seconds (ECS: 8 h) or after 2 h idle; each user may hold at most
``max_tokens`` live tokens (ECS: 100), so a client that logs in per call gets refused.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass, field

from .errors import ApiError

IDLE_TIMEOUT = 2 * 3600.0
MAX_TOKENS = 100
TOO_MANY_TOKENS = "Max number of tokens exceeded for this user"


@dataclass
class Token:
    user: str
    issued: float
    last_used: float


@dataclass
class Auth:
    admin_user: str
    admin_password: str
    ttl: float = 8 * 3600.0
    max_tokens: int = MAX_TOKENS
    users: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # name -> (password, roles)
    tokens: dict[str, Token] = field(default_factory=dict)
    logins: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.users = {self.admin_user: (self.admin_password, ["SYSTEM_ADMIN"])}
        self.tokens = {}
        self.logins = 0

    def _alive(self, tok: Token, now: float) -> bool:
        return now - tok.issued < self.ttl and now - tok.last_used < min(IDLE_TIMEOUT, self.ttl)

    def prune(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in [k for k, t in self.tokens.items() if not self._alive(t, now)]:
            del self.tokens[key]

    def active_tokens(self) -> int:
        self.prune()
        return len(self.tokens)

    def login(self, authorization: str | None) -> str:
        """Check HTTP Basic credentials and issue a token (401 on bad credentials or too many tokens)."""
        user, password = _basic(authorization)
        known = self.users.get(user)
        if known is None or not secrets.compare_digest(known[0], password):
            raise ApiError(401, 4000, "Invalid username or password")
        now = time.monotonic()
        self.prune(now)
        if sum(1 for t in self.tokens.values() if t.user == user) >= self.max_tokens:
            # ECS CE issue #193 (ecs-field-notes.md "Authentication and errors")
            raise ApiError(401, 4000, TOO_MANY_TOKENS, description=TOO_MANY_TOKENS)
        token = "BAAc" + secrets.token_urlsafe(96)
        self.tokens[token] = Token(user, now, now)
        self.logins += 1
        return token

    def check(self, token: str | None) -> str:
        """The user owning a live token; 401/4000 otherwise (expired tokens are forgotten)."""
        tok = self.tokens.get(token) if token else None
        now = time.monotonic()
        if tok is None or not self._alive(tok, now):
            if tok is not None:
                del self.tokens[token]  # type: ignore[arg-type]
            raise ApiError(401, 4000, "Invalid or expired authentication token")
        tok.last_used = now
        return tok.user

    def roles(self, user: str) -> list[str]:
        return list(self.users.get(user, ("", []))[1])

    def logout(self, token: str, force: bool) -> str:
        user = self.tokens.pop(token).user
        if force:
            for key in [k for k, t in self.tokens.items() if t.user == user]:
                del self.tokens[key]
        return user


def _basic(header: str | None) -> tuple[str, str]:
    if not header or not header.lower().startswith("basic "):
        raise ApiError(401, 4000, "Missing HTTP Basic credentials")
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ApiError(401, 4000, "Malformed HTTP Basic credentials") from None
    return user, password
