"""The parsed request and the reply that travel between the HTTP plumbing and the simulator core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
