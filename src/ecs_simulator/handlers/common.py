"""Lookups shared by the endpoint modules, with ECS's not-found answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ApiError, invalid, not_found

if TYPE_CHECKING:
    from ..api import Simulator

Json = dict[str, Any]
Params = dict[str, str]


def get_ns(sim: Simulator, name: Any) -> Json:
    """The namespace record; 400/1004 when absent (ECS's not-found for namespaces)."""
    if not isinstance(name, str):
        raise invalid("namespace must be a string")
    ns = sim.state.namespaces.get(name)
    if ns is None:
        raise not_found(name)
    return ns


def get_bucket(sim: Simulator, namespace: Any, name: str) -> Json:
    if not namespace:
        raise ApiError(400, 1005, "namespace is required")
    get_ns(sim, namespace)
    bucket = sim.state.buckets.get(namespace, {}).get(name)
    if bucket is None:
        raise not_found(name)
    return bucket


def vpool(sim: Simulator, urn: Any, field: str) -> str:
    if not isinstance(urn, str) or sim.state.rg_by_id(urn) is None:
        raise invalid(f"{field}: unknown replication group {urn!r}")
    return urn
