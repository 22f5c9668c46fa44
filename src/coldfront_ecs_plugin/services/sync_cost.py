"""The cost of one ``ecs_sync`` run on one endpoint, in HTTP requests, as a formula.

Why in code: the README states it, ``make bench`` and the tests check the measured requests
against it on every simulator profile, so the three cannot drift apart. Valid for a run without
failures or retries, with every wanted namespace present on ECS and one page of buckets each.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .sync_read import LISTING_PAGE_SIZE
from .sync_usage import BUCKET, BULK_BUCKET, BULK_NAMESPACE, NAMESPACE, NAMESPACE_BATCH


@dataclass(frozen=True)
class RunCost:
    """Each term of the formula; ``total`` is their sum."""

    logins: int  # login + logout
    identity: int  # local VDC + capacity
    listing_pages: int
    quota_reads: int
    billing_calls: int

    @property
    def total(self) -> int:
        return self.logins + self.identity + self.listing_pages + self.quota_reads + self.billing_calls

    def to_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


def run_cost(
    *,
    namespaces_on_ecs: int,
    wanted: int,
    buckets: int | None = None,
    listing_has_quotas: bool,
    usage_form: int = BULK_NAMESPACE,
) -> RunCost:
    """M = ``namespaces_on_ecs``, W = ``wanted`` namespaces (B = ``buckets``, default W), per endpoint:

    2 + 2 + max(1, ceil(M / 1000)) + (0 if the listing carries quotas else M)
      + billing: ceil(W / 100) | 1 + W | 2 + W | 3 + B  (bulk namespace | bulk bucket | namespace | bucket;
        each fallback first pays one refused probe per form this ECS lacks)
    """
    b = wanted if buckets is None else buckets
    billing = {
        BULK_NAMESPACE: math.ceil(wanted / NAMESPACE_BATCH),
        BULK_BUCKET: 1 + wanted,
        NAMESPACE: 2 + wanted,
        BUCKET: 3 + b,
    }[usage_form]
    return RunCost(
        logins=2,
        identity=2,
        listing_pages=max(1, math.ceil(namespaces_on_ecs / LISTING_PAGE_SIZE)),
        quota_reads=0 if listing_has_quotas else namespaces_on_ecs,
        billing_calls=billing,
    )


#: what each simulator profile offers (README, "The ECS simulator")
PROFILE_SHAPES = {
    "ecs-3.8": {"listing_has_quotas": True, "usage_form": BULK_NAMESPACE},
    "objectscale-4.1": {"listing_has_quotas": True, "usage_form": BULK_NAMESPACE},
    "ecs-3.1": {"listing_has_quotas": False, "usage_form": NAMESPACE},
}

#: ``/_sim/stats`` ``by_endpoint`` keys of each term
TERMS = {
    "logins": ("GET /login", "GET /logout"),
    "identity": ("GET /object/vdcs/vdc/local", "GET /object/capacity"),
    "listing_pages": ("GET /object/namespaces",),
    "quota_reads": ("GET /object/namespaces/namespace/{namespace}/quota",),
    "billing_calls": (
        "POST /object/billing/namespace/info",
        "POST /object/billing/buckets/{namespace}/info",
        "GET /object/billing/namespace/{namespace}/info",
        "GET /object/billing/buckets/{namespace}/{bucket}/info",
        "POST <unknown>",
    ),  # the refused probes of billing forms a profile lacks
}


def measured_terms(by_endpoint: dict[str, int]) -> dict[str, int]:
    """The formula's terms counted from a simulator's per-endpoint request counts (a difference of two)."""
    terms = {term: sum(by_endpoint.get(key, 0) for key in keys) for term, keys in TERMS.items()}
    terms["total"] = sum(terms.values())
    return terms
