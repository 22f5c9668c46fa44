"""Remove an allocation's storage from ECS, only when an admin asks (``manage.py ecs_deprovision``).

Why so careful: this is the one place the plugin deletes. It refuses a live allocation, never
empties a bucket (ECS itself refuses a non-empty one, and that refusal is passed on), never
removes a namespace that holds buckets other than the binding's, and stops at the first failure
so the admin can see exactly what is left. The binding is kept, ``retired``, as history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from .. import conf
from ..connections import client_for_endpoint
from ..ecs import ECSError, ECSNotFound
from ..models import BindingState, ECSBinding, ECSObjectUser, ObjectUserState
from . import bindings, notes, s3_users
from .cluster import ClusterMismatch, check_cluster, cluster_identity, time_bound
from .quota import PROVISIONED_STATUSES


class Refused(RuntimeError):
    """The removal was refused; the message names the reason."""


@dataclass
class Plan:
    allocation_pk: int
    namespace: str
    bucket: str
    object_users: list[str] = field(default_factory=list)
    bucket_exists: bool = True
    namespace_exists: bool = True
    usage_bytes: int | None = None

    def lines(self) -> list[str]:
        users = ", ".join(self.object_users) or "none"
        used = "unknown" if self.usage_bytes is None else f"{self.usage_bytes} bytes"
        return [
            f"allocation {self.allocation_pk}: would remove from ECS",
            f"  object users (keys deleted, users deactivated): {users}",
            f"  bucket {self.bucket!r}"
            + ("" if self.bucket_exists else " (already gone)")
            + f" — ECS refuses it unless empty; usage now {used}",
            f"  namespace {self.namespace!r}" + ("" if self.namespace_exists else " (already gone)"),
            "run again with --confirm to remove",
        ]


def _binding(allocation_pk: int) -> ECSBinding:
    from coldfront.core.allocation.models import Allocation

    allocation = Allocation.objects.select_related("status").filter(pk=allocation_pk).first()
    if allocation is None:
        raise Refused(f"allocation {allocation_pk} does not exist")
    if allocation.status.name in PROVISIONED_STATUSES:
        raise Refused(
            f"allocation {allocation_pk} is {allocation.status.name}: only storage of an allocation that "
            "is not in use (Expired, Revoked, Denied, ...) can be removed"
        )
    binding = bindings.for_allocation(allocation_pk)
    if binding is None or binding.state in (BindingState.UNLINKED, BindingState.RETIRED):
        state = "no binding" if binding is None else f"its binding is {binding.state}"
        raise Refused(f"allocation {allocation_pk} has no ECS storage to remove ({state})")
    if binding.state in (BindingState.PROVISIONING, BindingState.QUEUED):
        raise Refused(f"allocation {allocation_pk} is being provisioned ({binding.state}); wait for it to end")
    return binding


def _plan(client, binding: ECSBinding) -> Plan:
    plan = Plan(binding.allocation_id, binding.namespace, binding.bucket)
    plan.object_users = list(
        ECSObjectUser.objects.filter(binding=binding)
        .exclude(state=ObjectUserState.REMOVED)
        .values_list("userid", flat=True)
    )
    try:
        others = sorted(b.name for b in client.list_buckets(binding.namespace) if b.name != binding.bucket)
    except ECSNotFound:
        plan.namespace_exists = plan.bucket_exists = False
        return plan
    if others:
        raise Refused(
            f"namespace {binding.namespace!r} also holds bucket(s) {', '.join(others)} that are not this "
            "allocation's; nothing was removed"
        )
    plan.bucket_exists = client.bucket_exists(binding.namespace, binding.bucket)
    try:
        plan.usage_bytes = int(client.get_namespace_usage(binding.namespace, include_buckets=False).size_bytes)
    except ECSError:
        plan.usage_bytes = None
    return plan


def _remove(client, binding: ECSBinding, plan: Plan) -> list[str]:
    done = []
    for row in ECSObjectUser.objects.filter(binding=binding).exclude(state=ObjectUserState.REMOVED):
        try:
            s3_users.remove_on(client, row)
        except s3_users.S3UserError as exc:
            raise Refused(f"{exc}; nothing else was removed") from exc
        done.append(f"object user {row.userid}")
    if plan.bucket_exists:
        try:
            client.delete_bucket(binding.namespace, binding.bucket)
        except ECSNotFound:
            pass
        except ECSError as exc:
            raise Refused(
                f"ECS refused to remove bucket {binding.bucket!r} ({exc}); it is not emptied by the "
                f"plugin. Removed so far: {', '.join(done) or 'nothing'}"
            ) from exc
        done.append(f"bucket {binding.bucket}")
    if plan.namespace_exists:
        try:
            client.delete_namespace(binding.namespace)
        except ECSNotFound:
            pass
        except ECSError as exc:
            raise Refused(
                f"ECS refused to remove namespace {binding.namespace!r} ({exc}). Removed so far: {', '.join(done)}"
            ) from exc
        done.append(f"namespace {binding.namespace}")
    return done


def deprovision(allocation_pk: int, *, confirm: bool, settings: conf.ECSSettings | None = None) -> list[str]:
    """The plan (``confirm`` False) or the removal; raises Refused with the reason."""
    settings = settings or conf.load()
    binding = _binding(allocation_pk)
    with client_for_endpoint(binding.endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        try:
            check_cluster(binding, cluster_identity(client), binding.endpoint)
            plan = _plan(client, binding)
            if not confirm:
                return plan.lines()
            done = _remove(client, binding, plan)
        except ClusterMismatch as exc:
            raise Refused(str(exc)) from exc
        except ECSError as exc:
            raise Refused(f"ECS could not be read or changed: {exc}") from exc
    binding.lifecycle = {"retired_at": timezone.now().isoformat()}
    binding.lifecycle_due = None
    bindings.finish(binding, BindingState.RETIRED)
    text = f"removed from ECS by ecs_deprovision: {', '.join(done) or 'nothing was left'}"
    notes.add_note_to(allocation_pk, text)
    return [f"allocation {allocation_pk}: {text}"]
