"""Precompiled route table: ``METHOD /path/{template}`` names, matched segment by segment.

The template string is also the endpoint name used by ``/_sim/stats`` and ``/_sim/faults``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Callable[..., Any]
    auth: bool = True  # needs a valid X-SDS-AUTH-TOKEN
    write: bool = False  # refused (403) for read-only roles
    parts: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


class Router:
    """Index by (method, segment count); literal segments must match, ``{x}`` captures."""

    def __init__(self, routes: list[Route]) -> None:
        self._index: dict[tuple[str, int], list[Route]] = {}
        self._paths: dict[int, list[Route]] = {}
        for route in routes:
            parts = tuple(route.template.strip("/").split("/"))
            route = Route(route.method, route.template, route.handler, route.auth, route.write, parts)
            self._index.setdefault((route.method, len(parts)), []).append(route)
            self._paths.setdefault(len(parts), []).append(route)
        for bucket in self._index.values():  # literal segments win over captures
            bucket.sort(key=lambda r: sum(p.startswith("{") for p in r.parts))

    @staticmethod
    def _match(route: Route, segments: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for pattern, seg in zip(route.parts, segments, strict=False):
            if pattern[0] == "{":
                if not seg:
                    return None
                params[pattern[1:-1]] = seg
            elif pattern != seg:
                return None
        return params

    def match(self, method: str, segments: list[str]) -> tuple[Route | None, dict[str, str], bool]:
        """(route, params, path_known_for_another_method)."""
        for route in self._index.get((method, len(segments)), ()):
            params = self._match(route, segments)
            if params is not None:
                return route, params, False
        other = any(self._match(r, segments) is not None for r in self._paths.get(len(segments), ()))
        return None, {}, other
