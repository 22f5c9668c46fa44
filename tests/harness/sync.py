"""Builders for the sync tests: ColdFront allocations with stored names, their ECS side, and readers."""

from __future__ import annotations

import datetime
import io
import itertools
import json
import os
from collections.abc import Iterable
from typing import NamedTuple

from coldfront_ecs_plugin import attributes
from harness.world import World, set_attr

_counter = itertools.count(1)
GIB = 2**30


class Alloc(NamedTuple):
    """An allocation with stored names; unpacks as ``pk, namespace, bucket``."""

    pk: int
    namespace: str
    bucket: str


def ensure_types() -> None:
    """The plugin's attribute types: ``ecs_setup`` when it exists, else straight from attributes.py."""
    from django.core.management import call_command

    try:
        call_command("ecs_setup", stdout=open(os.devnull, "w"))  # noqa: SIM115
        return
    except Exception:
        pass
    from coldfront.core.allocation.models import AllocationAttributeType
    from coldfront.core.allocation.models import AttributeType as AllocType
    from coldfront.core.resource.models import AttributeType as ResType
    from coldfront.core.resource.models import ResourceAttributeType

    for spec in attributes.RESOURCE_ATTRIBUTES:
        ResourceAttributeType.objects.get_or_create(
            name=spec.name, defaults={"attribute_type": ResType.objects.get(name=spec.type_name)}
        )
    for spec in attributes.ALLOCATION_ATTRIBUTES:
        AllocationAttributeType.objects.get_or_create(
            name=spec.name,
            defaults={
                "attribute_type": AllocType.objects.get(name=spec.type_name),
                "has_usage": spec.has_usage,
                "is_private": spec.is_private,
                "is_changeable": spec.is_changeable,
            },
        )


def make_resource(name: str, host_port: str):
    from coldfront.core.resource.models import Resource, ResourceAttribute, ResourceAttributeType, ResourceType

    resource = Resource.objects.create(
        name=name, description="ECS test", resource_type=ResourceType.objects.get(name="Storage")
    )
    ResourceAttribute.objects.create(
        resource=resource,
        value=f"https://{host_port}",
        resource_attribute_type=ResourceAttributeType.objects.get(name=attributes.URL),
    )
    return resource


def make_allocations(
    resource,
    n: int,
    *,
    quota_tb: str | None = "1",
    quota_bytes: str | None = None,
    status: str = "Active",
    names: bool = True,
) -> list[Alloc]:
    """``n`` allocations on ``resource``, each in its own project, with stored names and quota values
    (attribute rows written directly, as an older plugin or an admin would have left them)."""
    from coldfront.core.allocation.models import (
        Allocation,
        AllocationAttribute,
        AllocationAttributeType,
        AllocationStatusChoice,
    )
    from coldfront.core.field_of_science.models import FieldOfScience
    from coldfront.core.project.models import Project, ProjectStatusChoice
    from django.contrib.auth.models import User

    types = {
        t.name: t
        for t in AllocationAttributeType.objects.filter(
            name__in=[attributes.NAMESPACE, attributes.BUCKET, attributes.QUOTA_TB, attributes.QUOTA_BYTES]
        )
    }
    fos = FieldOfScience.objects.get(pk=149)
    active_project = ProjectStatusChoice.objects.get(name="Active")
    alloc_status = AllocationStatusChoice.objects.get(name=status)
    today = datetime.date.today()
    made = []
    for _ in range(n):
        i = next(_counter)
        user = User.objects.create_user(f"pi{i}")
        project = Project.objects.create(
            title=f"Lab {i}", pi=user, description="a test project", field_of_science=fos, status=active_project
        )
        allocation = Allocation.objects.create(
            project=project,
            status=alloc_status,
            quantity=1,
            justification="t",
            start_date=today,
            end_date=today + datetime.timedelta(days=365),
        )
        allocation.resources.add(resource)
        ns, bucket = f"lab-{i}", f"lab-{i}-bucket"
        values = {attributes.QUOTA_TB: quota_tb, attributes.QUOTA_BYTES: quota_bytes}
        if names:
            values.update({attributes.NAMESPACE: ns, attributes.BUCKET: bucket})
        for name, value in values.items():
            if value is not None:
                AllocationAttribute.objects.create(
                    allocation=allocation, allocation_attribute_type=types[name], value=value
                )
        made.append(Alloc(allocation.pk, ns, bucket))
    if names:
        bind_recorded()
    return made


def bind_recorded() -> list[int]:
    """Bindings for allocations whose names are recorded, exactly as the upgrade migration makes them."""
    from django.apps import apps

    from coldfront_ecs_plugin.migrations_support import bind_provisioned

    return bind_provisioned(apps)


def make_synced_allocations(resource, n: int, *, quota_tb: str = "1") -> list[Alloc]:
    """``n`` Active allocations with stored names and a quota value, written through the plugin's records
    service (the reliability suite's variant of ``make_allocations``)."""
    from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

    builder = World(None, None, None, user_prefix="relpi")
    today = datetime.date.today()
    made = []
    for _ in range(n):
        i = next(_counter)
        allocation = Allocation.objects.create(
            project=builder.project(f"Sync Lab {i}"),
            quantity=1,
            justification="t",
            status=AllocationStatusChoice.objects.get(name="Active"),
            start_date=today,
            end_date=today + datetime.timedelta(days=365),
        )
        allocation.resources.add(resource)
        ns, bucket = f"rel-{i}", f"rel-{i}-bucket"
        for name, value in ((attributes.NAMESPACE, ns), (attributes.BUCKET, bucket), (attributes.QUOTA_TB, quota_tb)):
            set_attr(allocation, name, value)
        made.append(Alloc(allocation.pk, ns, bucket))
    bind_recorded()
    return made


def ecs_client(sim):
    from coldfront_ecs_plugin.ecs import ECSClient

    return ECSClient(sim.base_url, sim.user, sim.password, verify=sim.ca_path, timeout=10)


def provision_on_sim(
    sim,
    allocs: Iterable[tuple[int, str, str]],
    *,
    quota_gb: int | None = 2048,
    usage_bytes: int = 3 * GIB,
    bucket_quota: bool = False,
) -> None:
    """Namespaces, buckets, quotas (namespace, and bucket too when ``bucket_quota``) and usage on the simulator."""
    allocs = list(allocs)
    with ecs_client(sim) as client:
        rg = client.replication_group_id("rg1")
        for _pk, ns, bucket in allocs:
            client.create_namespace(ns, replication_group_id=rg)
            client.create_bucket(ns, bucket)
            if quota_gb is not None:
                client.set_namespace_quota(ns, quota_gb, max(1, quota_gb * 9 // 10))
                if bucket_quota:
                    client.set_bucket_quota(ns, bucket, quota_gb, max(1, quota_gb * 9 // 10))
    for _pk, ns, bucket in allocs:
        sim.set_usage(ns, bucket, usage_bytes, 1)


def command_json(command: str, *args: str) -> tuple[dict, int]:
    """``manage.py <command> --json``: the parsed report and the exit code (0, or the CommandError's)."""
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command(command, "--json", *args, stdout=out)
        return json.loads(out.getvalue()), 0
    except CommandError as exc:
        return json.loads(out.getvalue()), exc.returncode


def sync_json(*args: str) -> tuple[dict, int]:
    """``manage.py ecs_sync --json``: the parsed report and the exit code."""
    return command_json("ecs_sync", *args)


def values(pk: int) -> dict[str, tuple[str, float | None]]:
    """attribute name → (value, usage or None) for one allocation."""
    from coldfront.core.allocation.models import AllocationAttribute

    out = {}
    for row in AllocationAttribute.objects.filter(allocation_id=pk).select_related("allocation_attribute_type"):
        usage = getattr(row, "allocationattributeusage", None)
        out[row.allocation_attribute_type.name] = (row.value, usage.value if usage else None)
    return out


def resource_values(resource) -> dict[str, str]:
    from coldfront.core.resource.models import ResourceAttribute

    return {a.resource_attribute_type.name: a.value for a in ResourceAttribute.objects.filter(resource=resource)}


def history_rows() -> int:
    """Rows in every history table the sync may write."""
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage
    from coldfront.core.resource.models import ResourceAttribute

    return sum(m.history.count() for m in (AllocationAttribute, AllocationAttributeUsage, ResourceAttribute))


def attribute_type(name: str):
    from coldfront.core.allocation.models import AllocationAttributeType

    return AllocationAttributeType.objects.get(name=name)
