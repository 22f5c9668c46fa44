"""Link allocations to ECS storage that already exists: the upgrade path, never a guess.

``link`` binds one allocation to a named namespace (and bucket) after checking, on ECS, that both
exist and, in ColdFront, that no live binding holds them. ``link_all`` does the same for every
unlinked Active allocation, taking the names from its ``Namespace``/``Bucket`` attributes or the
reference plugin's derivation; a name two allocations would share is linked to neither. Neither
ever writes to ECS.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .. import attributes, conf, naming
from ..connections import client_for_endpoint, endpoint_for_resource
from ..ecs import ECSError, ECSNotFound
from ..endpoints import EndpointError
from ..models import LIVE_STATES, BindingState, ECSBinding
from . import bindings, records, resources
from .cluster import cluster_identity, time_bound


class LinkError(ValueError):
    """The allocation cannot be linked; the message says why."""


@dataclass
class LinkResult:
    allocation_id: int
    namespace: str
    bucket: str
    action: str  # "linked", "would link", "skipped"
    reason: str = ""

    def describe(self) -> str:
        text = f"allocation {self.allocation_id}: {self.action} {self.namespace}/{self.bucket}"
        return f"{text} ({self.reason})" if self.reason else text


def _target(allocation_pk: int, settings: conf.ECSSettings):
    from coldfront.core.allocation.models import Allocation

    allocation = Allocation.objects.select_related("project").filter(pk=allocation_pk).first()
    if allocation is None:
        raise LinkError(f"allocation {allocation_pk} does not exist")
    existing = bindings.for_allocation(allocation_pk)
    if existing is not None and existing.state in LIVE_STATES:
        raise LinkError(
            f"allocation {allocation_pk} is already bound to {existing.namespace}/{existing.bucket} ({existing.state})"
        )
    resource = resources.resource_for(allocation, settings)
    if resource is None:
        raise LinkError(f"allocation {allocation_pk} is not on an ECS resource")
    try:
        endpoint = endpoint_for_resource(resource, settings)
    except EndpointError as exc:
        raise LinkError(str(exc)) from exc
    return allocation, existing, resource, endpoint


def _verify_on_ecs(client, namespace: str, bucket: str) -> None:
    try:
        client.get_namespace(namespace)
        client.get_bucket(namespace, bucket)
    except ECSNotFound as exc:
        raise LinkError(f"{namespace}/{bucket} does not exist on ECS ({exc})") from exc
    except ECSError as exc:
        raise LinkError(f"could not check {namespace}/{bucket} on ECS: {exc}") from exc


def _bind(allocation, existing, resource, endpoint: str, cluster_id: str, namespace: str, bucket: str) -> None:
    with transaction.atomic():
        binding = existing or ECSBinding(allocation_id=allocation.pk)
        binding.resource, binding.endpoint, binding.cluster_id = resource, endpoint, cluster_id
        binding.namespace, binding.bucket = namespace, bucket
        binding.steps = [{"step": "linked"}]
        records.record_names(allocation, namespace, bucket)
        bindings.finish(binding, BindingState.ACTIVE, provisioned_at=timezone.now())


def link(allocation_pk: int, namespace: str, bucket: str | None = None, *, dry_run: bool = False) -> LinkResult:
    """Bind one allocation to an existing namespace and bucket; LinkError with the reason."""
    settings = conf.load()
    allocation, existing, resource, endpoint = _target(allocation_pk, settings)
    try:
        namespace = naming.validate_namespace(namespace.strip())
        bucket = naming.validate_bucket(bucket.strip()) if bucket else naming.bucket_for_namespace(namespace)
    except naming.NamingError as exc:
        raise LinkError(str(exc)) from exc
    with client_for_endpoint(endpoint, settings) as client, time_bound(client, settings.provision_deadline):
        try:
            cluster_id = cluster_identity(client)
        except ECSError as exc:
            raise LinkError(f"could not identify the ECS cluster: {exc}") from exc
        holder = bindings.holder_of(cluster_id, endpoint, namespace)
        if holder is not None:
            raise LinkError(f"namespace {namespace!r} is already held by allocation {holder.allocation_id}")
        _verify_on_ecs(client, namespace, bucket)
    if dry_run:
        return LinkResult(allocation_pk, namespace, bucket, "would link")
    _bind(allocation, existing, resource, endpoint, cluster_id, namespace, bucket)
    return LinkResult(allocation_pk, namespace, bucket, "linked")


def _candidates() -> list[tuple[int, str, str]]:
    """(allocation id, namespace, bucket) for every unlinked Active allocation on an ECS resource."""
    from coldfront.core.allocation.models import Allocation

    found = []
    query = (
        Allocation.objects.filter(resources__in=resources.ecs_resources(), status__name="Active")
        .exclude(ecs_binding__state__in=LIVE_STATES)
        .select_related("project")
        .distinct()
        .order_by("pk")
    )
    for allocation in query:
        namespace = (records.get_value(allocation, attributes.NAMESPACE) or "").strip() or naming.reference_namespace(
            allocation.project.title
        )
        bucket = (records.get_value(allocation, attributes.BUCKET) or "").strip() or naming.reference_bucket(namespace)
        found.append((allocation.pk, namespace, bucket))
    return found


def link_all(*, dry_run: bool = False) -> list[LinkResult]:
    """Link every unlinked Active allocation whose storage exists and is unambiguous."""
    candidates = _candidates()
    counts: dict[str, int] = {}
    for _pk, namespace, _bucket in candidates:
        counts[namespace] = counts.get(namespace, 0) + 1
    results = []
    for pk, namespace, bucket in candidates:
        if counts[namespace] > 1:
            results.append(
                LinkResult(
                    pk,
                    namespace,
                    bucket,
                    "skipped",
                    f"{counts[namespace]} unlinked allocations map to this namespace; link each "
                    "one by hand with ecs_link ID --namespace NS",
                )
            )
            continue
        try:
            results.append(link(pk, namespace, bucket, dry_run=dry_run))
        except (LinkError, conf.SettingsError) as exc:
            results.append(LinkResult(pk, namespace, bucket, "skipped", str(exc)))
    return results
