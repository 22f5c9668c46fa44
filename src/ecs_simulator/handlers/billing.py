"""Billing: bucket, bulk bucket (3.2+), namespace, bulk namespace (3.2+), all lagging by ``billing_lag_s``.

Shapes: live ECS CE 3.8 captures (../shared/fixtures/ecs-ce-live/) and ecs-api.md section 7; the
bulk namespace form ``POST /object/billing/namespace/info`` takes ``{"id": [...]}`` (also the
documented ``{"namespace_list": {"id": [...]}}``) and answers ``{"namespace_billing_infos": [...]}``
(ECS REST API getNamespaceBillingInfo; a live 4.3 cluster accepted the unwrapped body and
answered one entry per namespace, per fjacquet/obs_exporter's notes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import usage
from ..errors import ApiError, invalid
from ..util import MISSING, as_bool, iso_now, page, parse_body, size_in, size_unit, str_list
from .common import Json, Params, get_bucket, get_ns

if TYPE_CHECKING:
    from ..api import Request, Simulator

DETAIL_PAGE = 100  # buckets per namespace answer; ECS documents no limit, 100 exercises next_marker


class _View:
    """One billing read: the unit asked for and the lagged moment every figure is taken at."""

    def __init__(self, sim: Simulator, query: dict[str, str]) -> None:
        self.unit, self.factor = size_unit(query, sim.profile.unit_bytes)
        self.lag = sim.options.billing_lag_s
        self.when = iso_now(usage.sample_epoch(self.lag))

    def usage(self, b: Json) -> tuple[int, int]:
        return usage.visible(b, self.lag)

    def bucket(self, b: Json) -> Json:
        size, objects = self.usage(b)
        return {
            "namespace": b["namespace"],
            "name": b["name"],
            "vpool_id": b["vpool"],
            "total_size": size_in(self.factor, size),
            "total_size_unit": self.unit,
            "total_objects": objects,
            "sample_time": self.when,
            "uptodate_till": self.when,
            "total_mpu_size": "0",
            "total_mpu_parts": 0,
            "TagSet": b["tags"],
            "total_objects_deleted": "0",
            "total_size_deleted": "0",
        }

    def namespace(self, sim: Simulator, ns: Json, detail: bool, marker: str, valid: str) -> Json:
        buckets = sim.state.buckets[ns["name"]]
        figures = [self.usage(b) for b in buckets.values()]
        names: list[str] = []
        nxt = None
        if detail:
            names, nxt, _ = page(sorted(buckets), {"marker": marker}, default_limit=DETAIL_PAGE)
        return {
            "namespace": ns["name"],
            "sample_time": self.when,
            "total_size": size_in(self.factor, sum(s for s, _ in figures)),
            "total_size_unit": self.unit,
            "total_objects": sum(o for _, o in figures),
            "bucket_billing_info": [self.bucket(buckets[n]) for n in names],
            "next_marker": nxt or "",
            "uptodate_till": self.when,
            "total_mpu_size": "0",
            "total_mpu_parts": 0,
            "valid_namespace": valid,
            "total_objects_deleted": "0",
            "total_size_deleted": "0",
        }


def bucket_billing(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    view = _View(sim, req.query)
    return view.bucket(get_bucket(sim, params["namespace"], params["bucket"]))


def _list_body(req: Request, what: str) -> Any:
    """Live 3.8.0.3 (ecs-api.md 7.2): no body 415, ``null`` 500/999, not an object 400/1013."""
    body = parse_body(req.body)
    if body is MISSING:
        raise ApiError(415, 1003, "A request body is required")
    if body is None:
        raise ApiError(500, 999, "Request body is null")
    if not isinstance(body, dict):
        raise ApiError(400, 1013, f"Request body must be a {what} list object")
    return body


def bulk_bucket_billing(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    view = _View(sim, req.query)
    get_ns(sim, params["namespace"])
    ids = str_list(_list_body(req, "bucket").get("id"), "id")
    buckets = sim.state.buckets[params["namespace"]]
    return {"bucket_billing_infos": [view.bucket(buckets[i]) for i in dict.fromkeys(ids) if i in buckets]}


def namespace_billing(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    view = _View(sim, req.query)
    ns = get_ns(sim, params["namespace"])
    detail = as_bool(req.query.get("include_bucket_detail"), False)
    return view.namespace(sim, ns, detail, req.query.get("marker", ""), ns["name"])


def bulk_namespace_billing(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    """Unknown namespaces are left out (as bulk bucket billing leaves out unknown buckets); each
    entry pages its buckets like the single form: follow ``next_marker`` there."""
    view = _View(sim, req.query)
    body = _list_body(req, "namespace")
    wrapped = body.get("namespace_list")
    ids = str_list(wrapped.get("id") if isinstance(wrapped, dict) else body.get("id"), "id")
    cap = sim.options.max_bulk_namespaces
    if cap and len(ids) > cap:
        raise ApiError(400, 1014, f"At most {cap} namespaces per request, got {len(ids)}")
    detail = as_bool(req.query.get("include_bucket_detail"), False)
    if req.query.get("marker"):
        raise invalid("marker is not supported here; page a namespace's buckets with its own GET")
    infos = []
    for name in dict.fromkeys(ids):
        ns = sim.state.namespaces.get(name)
        if ns is not None:
            valid = "true" if sim.profile.valid_namespace_flag else name
            infos.append(view.namespace(sim, ns, detail, "", valid))
    return {"namespace_billing_infos": infos}
