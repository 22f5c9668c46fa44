"""The data step of migration 0002, importable so tests run it against real rows.

Uses only the model classes ``apps`` gives (historical models in a migration), the attribute
names and the ``url`` parser: no service code, so later changes elsewhere cannot break it.
"""

from __future__ import annotations

from . import attributes
from .endpoints import EndpointError, parse_endpoint


def _values(attr_model, names: tuple[str, ...]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    rows = (
        attr_model.objects.filter(allocation_attribute_type__name__in=names)
        .order_by("pk")
        .values_list("allocation_id", "allocation_attribute_type__name", "value")
    )
    for allocation_id, name, value in rows:
        value = (value or "").strip()
        if value:
            found.setdefault(allocation_id, {}).setdefault(name, value)
    return found


def _endpoint(resource_attr_model, resource_id: int) -> str | None:
    value = (
        resource_attr_model.objects.filter(resource_id=resource_id, resource_attribute_type__name=attributes.URL)
        .order_by("-pk")
        .values_list("value", flat=True)
        .first()
    )
    try:
        return parse_endpoint(value, allow_http=True)
    except EndpointError:
        return None


def bind_provisioned(apps) -> list[int]:
    """Bind every allocation with both names recorded; returns the allocation ids bound."""
    allocation_model = apps.get_model("allocation", "Allocation")
    attr_model = apps.get_model("allocation", "AllocationAttribute")
    resource_attr_model = apps.get_model("resource", "ResourceAttribute")
    binding_model = apps.get_model("coldfront_ecs_plugin", "ECSBinding")
    names = _values(attr_model, (attributes.NAMESPACE, attributes.BUCKET))
    taken = set(binding_model.objects.exclude(live_key=None).values_list("live_key", flat=True))
    already = set(binding_model.objects.values_list("allocation_id", flat=True))
    bound: list[int] = []
    for allocation_id in sorted(names):
        pair = names[allocation_id]
        if allocation_id in already or attributes.NAMESPACE not in pair or attributes.BUCKET not in pair:
            continue
        allocation = allocation_model.objects.filter(pk=allocation_id).first()
        resources = list(allocation.resources.order_by("pk")) if allocation else []
        for resource in resources:
            endpoint = _endpoint(resource_attr_model, resource.pk)
            if endpoint is None:
                continue
            key = f"{endpoint}|{pair[attributes.NAMESPACE]}"
            live = key not in taken
            binding_model.objects.create(
                allocation_id=allocation_id,
                resource_id=resource.pk,
                endpoint=endpoint,
                namespace=pair[attributes.NAMESPACE],
                bucket=pair[attributes.BUCKET],
                state="active" if live else "unlinked",
                live_key=key if live else None,
                last_error="" if live else "another allocation already holds this namespace; use ecs_link",
                steps=[{"step": "migrated"}],
            )
            taken.add(key)
            bound.append(allocation_id)
            break
    return bound
