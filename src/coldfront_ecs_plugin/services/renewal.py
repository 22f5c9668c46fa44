"""Approval of an allocation whose binding is already ``active`` (renewal, re-approval).

ECS quotas are left alone: ColdFront's value may be stale and ECS's may have been raised out of
band on purpose, so neither overwrites the other. A disagreement becomes a note for the admin.
A binding still frozen or locked (its restore on the status change failed) is restored here.
The cluster is checked (a moved resource is refused), a new hostname for the same cluster is
recorded, and the ColdFront-visible mirror (``Namespace``, ``Bucket``, ``ECS Status``) restored.
"""

from __future__ import annotations

import logging

from django.db import transaction

from .. import attributes, conf, units
from ..connections import client_for_endpoint
from ..ecs import ECSError, ECSNotFound, Quota
from ..models import ECSBinding
from . import bindings, notes, records
from .cluster import ClusterMismatch, check_cluster, cluster_identity, time_bound
from .plan import Plan, ProvisioningError
from .provisioning_steps import Outcome

logger = logging.getLogger(__name__)


def _read(binding: ECSBinding, plan: Plan, settings: conf.ECSSettings) -> tuple[str, Quota | None, str | None]:
    """(cluster id, namespace quota or None, why the quota is unknown)."""
    with client_for_endpoint(plan.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        cluster_id = cluster_identity(client)
        check_cluster(binding, cluster_id, plan.endpoint)
        try:
            return cluster_id, client.get_namespace_quota(binding.namespace), None
        except ECSNotFound:
            return cluster_id, None, f"namespace {binding.namespace!r} was not found on ECS"
        except ECSError as exc:
            return cluster_id, None, f"the quota of namespace {binding.namespace!r} could not be read ({exc})"


def check(allocation, binding: ECSBinding, resource, plan: Plan, settings: conf.ECSSettings) -> Outcome:
    """Verify and report; never changes ECS quotas, except to restore what a lifecycle freeze or lock
    changed (``lifecycle.restore``). Raises ProvisioningError only for a moved resource."""
    if binding.lifecycle.get("frozen") or binding.lifecycle.get("locked"):
        from . import lifecycle

        lifecycle.restore(binding, settings)  # the status change normally did this already; a retry
    try:
        cluster_id, quota, problem = _read(binding, plan, settings)
    except ClusterMismatch as exc:
        raise ProvisioningError(str(exc)) from exc
    except ECSError as exc:
        notes.add_admin_note(
            allocation, f"approved again; ECS could not be checked ({exc}). Nothing was changed on ECS"
        )
        return Outcome(binding.namespace, binding.bucket, plan.quota_tb)
    with transaction.atomic():
        if binding.endpoint != plan.endpoint or (cluster_id and binding.cluster_id != cluster_id):
            binding.endpoint, binding.cluster_id = plan.endpoint, cluster_id or binding.cluster_id
            binding.resource = resource
        records.record_names(allocation, binding.namespace, binding.bucket)
        bindings.finish(binding, binding.state)
    coldfront_tb = records.get_value(allocation, attributes.QUOTA_TB)
    if problem:
        notes.add_admin_note(allocation, f"approved again, but {problem}. Nothing was changed on ECS")
    elif quota is not None and (quota.unlimited or not units.same_quota(coldfront_tb, quota.block_size_gb)):
        ecs_text = "unlimited" if quota.unlimited else f"{units.format_tb(units.gb_to_tb(quota.block_size_gb))} TB"
        notes.add_admin_note(
            allocation,
            f"approved again: ColdFront's {attributes.QUOTA_TB} is {coldfront_tb} but ECS enforces "
            f"{ecs_text} on namespace {binding.namespace!r}. Both were left as they are; edit "
            f"{attributes.QUOTA_TB} (or approve a change request) to set ECS, or let ecs_sync report it",
        )
    return Outcome(binding.namespace, binding.bucket, plan.quota_tb)
