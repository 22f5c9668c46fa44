"""The ECS phase of provisioning: read what exists, create what is missing, undo on failure.

No database transaction is open here. Each completed write is recorded on the binding at once
(``bindings.add_step``), so a run that dies mid-way leaves an exact list of what the plugin
created, and the next run resumes it or rolls it back. Nothing is adopted blindly: an existing
namespace is continued only when this binding created it, or when the admin named it in the
allocation's ``Namespace`` attribute (and no other binding holds it, checked at the claim).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import attributes, logs, units
from ..ecs import ECSError, ECSNotFound, Namespace, Quota
from ..models import ECSBinding
from . import bindings
from .plan import Plan, ProvisioningError

logger = logs.get_logger(__name__)

#: recorded just before the create is sent (a create that timed out may have taken effect): undo
#: removes it, ignoring "not found"; a resumed run treats an existing namespace as its own
NAMESPACE_CREATED = "namespace_created"
NAMESPACE_QUOTA = "namespace_quota"
BUCKET_CREATED = "bucket_created"
BUCKET_QUOTA = "bucket_quota"


@dataclass(frozen=True)
class Found:
    namespace: Namespace | None
    bucket_exists: bool
    replication_group_id: str


@dataclass
class Outcome:
    """What a provisioning run found and did."""

    namespace: str
    bucket: str
    quota_tb: float
    created_namespace: bool = False
    created_bucket: bool = False
    adopted_namespace: bool = False
    steps: list[str] = field(default_factory=list)


def _existing_namespace(client, plan: Plan) -> Namespace | None:
    try:
        return client.get_namespace(plan.namespace)
    except ECSNotFound:
        return None
    except ECSError as exc:
        raise ProvisioningError(f"could not check whether namespace {plan.namespace!r} exists on ECS: {exc}") from exc


def _replication_group(client, plan: Plan, existing: Namespace | None) -> str:
    if plan.replication_group_name:
        try:
            return client.replication_group_id(plan.replication_group_name)
        except ECSNotFound as exc:
            raise ProvisioningError(
                f"replication group {plan.replication_group_name!r} (resource attribute "
                f"{attributes.REPLICATION_GROUP} of {plan.resource_name}) does not exist on ECS: {exc}"
            ) from exc
        except ECSError as exc:
            raise ProvisioningError(f"could not list ECS replication groups: {exc}") from exc
    if existing is not None and existing.default_replication_group:
        return existing.default_replication_group
    raise ProvisioningError(
        f"no replication group: set the resource attribute {attributes.REPLICATION_GROUP!r} on {plan.resource_name} "
        "to the ECS replication group name (e.g. rg1)"
    )


def _bucket_exists(client, plan: Plan) -> bool:
    try:
        client.get_bucket(plan.namespace, plan.bucket)
        return True
    except ECSNotFound:
        return False
    except ECSError as exc:
        raise ProvisioningError(f"could not check whether bucket {plan.bucket!r} exists on ECS: {exc}") from exc


def inspect(client, plan: Plan, binding: ECSBinding) -> Found:
    """Read what ECS has; refuse a namespace that is neither ours nor deliberately named."""
    existing = _existing_namespace(client, plan)
    ours = binding.has_step(NAMESPACE_CREATED)
    if existing is not None and not ours and not plan.namespace_from_attribute:
        raise ProvisioningError(
            f"namespace {plan.namespace!r} already exists on ECS ({plan.resource_name}) and is not recorded as this "
            "allocation's; it may belong to another lab. Set this allocation's Namespace attribute to an unused "
            "name (or to this name, only if that namespace really is this allocation's)"
        )
    if existing is None and ours:
        binding.steps = [s for s in binding.steps if s.get("step") not in (NAMESPACE_CREATED, BUCKET_CREATED)]
    group = _replication_group(client, plan, existing)
    bucket_exists = _bucket_exists(client, plan) if existing is not None else False
    return Found(existing, bucket_exists, group)


def namespace_usage_bytes(client, namespace: str) -> int:
    """Everything stored in the namespace, over all its buckets (ECS enforces the quota on that total)."""
    try:
        return int(client.get_namespace_usage(namespace, include_buckets=False).size_bytes)
    except ECSError as exc:
        raise ProvisioningError(f"could not read the usage of namespace {namespace!r} from ECS billing: {exc}") from exc


def refuse_below_usage(used: int, block_gb: int, namespace: str, what: str) -> None:
    if used > units.gb_to_bytes(block_gb):
        raise ProvisioningError(
            f"refusing to {what}: namespace {namespace!r} already holds {units.format_tb(units.bytes_to_tb(used))} "
            f"TB ({used} bytes), more than {units.format_tb(units.gb_to_tb(block_gb))} TB; free space first or "
            "choose a larger quota (ECS usage may lag a few minutes behind writes)"
        )


def _quota_dict(quota: Quota | None) -> list[int] | None:
    return None if quota is None or quota.unlimited else [quota.block_size_gb, quota.notification_size_gb]


def apply(client, plan: Plan, found: Found, binding: ECSBinding) -> Outcome:
    """Create what is missing and set both quotas, recording each step on the binding."""
    outcome = Outcome(
        plan.namespace,
        plan.bucket,
        plan.quota_tb,
        adopted_namespace=found.namespace is not None and not binding.has_step(NAMESPACE_CREATED),
    )
    if found.namespace is None:
        _create_namespace(client, plan, found, binding)
        outcome.created_namespace = True
    elif not binding.has_step(NAMESPACE_QUOTA):
        _adopt_namespace(client, plan, found.namespace, binding)
    with _step(f"set quota of namespace {plan.namespace!r}"):
        client.set_namespace_quota(plan.namespace, plan.block_gb, plan.notification_gb)
        if not binding.has_step(NAMESPACE_QUOTA):
            bindings.add_step(binding, NAMESPACE_QUOTA)
    if found.bucket_exists:
        with _step(f"set quota of bucket {plan.bucket!r}"):
            client.set_bucket_quota(plan.namespace, plan.bucket, plan.block_gb, plan.notification_gb)
            bindings.add_step(binding, BUCKET_QUOTA)
    else:
        _create_bucket(client, plan, found, binding)
        outcome.created_bucket = True
    return outcome


@contextmanager
def _step(what: str) -> Iterator[None]:
    """Any failure inside becomes ProvisioningError("failed to <what>: ..."), which the admin sees."""
    try:
        yield
    except Exception as exc:
        raise ProvisioningError(f"failed to {what}: {exc}") from exc


def _create_namespace(client, plan: Plan, found: Found, binding: ECSBinding) -> None:
    with _step(f"create namespace {plan.namespace!r}"):
        # recorded before sending: a create that times out may still take effect on ECS
        bindings.add_step(binding, NAMESPACE_CREATED)
        client.create_namespace(
            plan.namespace,
            replication_group_id=found.replication_group_id,
            user_mapping=[dict(m) for m in plan.user_mapping] or None,
        )
    logger.log(logging.INFO, "created namespace %s (replication group %s)", plan.namespace, found.replication_group_id)


def _adopt_namespace(client, plan: Plan, namespace: Namespace, binding: ECSBinding) -> None:
    """A namespace the admin named: never shrink it below what it stores; remember its old quota for undo."""
    with _step(f"read the quota and usage of namespace {plan.namespace!r}"):
        old = namespace.quota or client.get_namespace_quota(plan.namespace)
        refuse_below_usage(
            namespace_usage_bytes(client, plan.namespace),
            plan.block_gb,
            plan.namespace,
            f"set the quota of adopted namespace {plan.namespace!r}",
        )
    binding.steps.append({"step": "namespace_adopted", "old_quota": _quota_dict(old)})


def _create_bucket(client, plan: Plan, found: Found, binding: ECSBinding) -> None:
    # the quota travels in the create call (ECS 3.0+): one request fewer than create + PUT quota
    with _step(f"create bucket {plan.bucket!r} with its quota"):
        if not binding.has_step(BUCKET_CREATED):
            bindings.add_step(binding, BUCKET_CREATED)  # before sending, as for the namespace
        client.create_bucket(
            plan.namespace,
            plan.bucket,
            replication_group_id=found.replication_group_id,
            filesystem_enabled=plan.filesystem_enabled,
            quota=Quota(plan.block_gb, plan.notification_gb),
        )
        bindings.add_step(binding, BUCKET_QUOTA)
    logger.log(
        logging.INFO, "created bucket %s/%s (filesystem=%s)", plan.namespace, plan.bucket, plan.filesystem_enabled
    )


def undo(client, binding: ECSBinding) -> tuple[list[str], list[str]]:
    """Remove what the binding's steps say the plugin created, bucket first; put back an adopted
    namespace's quota. Returns (what was undone, what is left on ECS); the steps keep only the left."""
    done: list[str] = []
    left: list[str] = []
    remaining: list[dict] = []
    ns, bucket = binding.namespace, binding.bucket
    if binding.has_step(BUCKET_CREATED):
        try:
            client.delete_bucket(ns, bucket)
            done.append(f"bucket {bucket!r}")
        except ECSNotFound:
            pass
        except ECSError as exc:
            left.append(f"bucket {bucket!r} in namespace {ns!r} ({exc})")
            remaining.append({"step": BUCKET_CREATED})
    if binding.has_step(NAMESPACE_CREATED):
        try:
            if not remaining:
                client.delete_namespace(ns)
                done.append(f"namespace {ns!r}")
            else:
                left.append(f"namespace {ns!r} (its bucket could not be removed)")
        except ECSNotFound:
            pass
        except ECSError as exc:
            left.append(f"namespace {ns!r} ({exc})")
        if left:
            remaining.insert(0, {"step": NAMESPACE_CREATED})
    elif binding.has_step("namespace_adopted") and binding.has_step(NAMESPACE_QUOTA):
        old = binding.step_data("namespace_adopted").get("old_quota")
        try:
            if old is None:
                client.delete_namespace_quota(ns)
            else:
                client.set_namespace_quota(ns, int(old[0]), int(old[1]))
            done.append(f"the quota of namespace {ns!r}")
        except ECSError as exc:
            left.append(f"the changed quota of namespace {ns!r} ({exc})")
    binding.steps = remaining
    return done, left
