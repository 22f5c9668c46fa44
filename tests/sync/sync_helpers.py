"""Builders for the sync tests: ColdFront allocations with stored names, and their ECS side."""

from __future__ import annotations

import datetime
import itertools
import os
from dataclasses import dataclass

from coldfront_ecs_plugin import attributes

_counter = itertools.count(1)
GIB = 2**30


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
            name=spec.name, defaults={"attribute_type": ResType.objects.get(name=spec.type_name)})
    for spec in attributes.ALLOCATION_ATTRIBUTES:
        AllocationAttributeType.objects.get_or_create(name=spec.name, defaults={
            "attribute_type": AllocType.objects.get(name=spec.type_name), "has_usage": spec.has_usage,
            "is_private": spec.is_private, "is_changeable": spec.is_changeable})


def make_resource(name: str, host_port: str):
    from coldfront.core.resource.models import Resource, ResourceAttribute, ResourceAttributeType, ResourceType

    resource = Resource.objects.create(name=name, description="ECS test", resource_type=ResourceType.objects.get(
        name="Storage"))
    ResourceAttribute.objects.create(resource=resource, value=f"https://{host_port}",
                                     resource_attribute_type=ResourceAttributeType.objects.get(name=attributes.URL))
    return resource


@dataclass
class Alloc:
    pk: int
    namespace: str
    bucket: str


def make_allocations(resource, n: int, *, quota_tb: str | None = "1", quota_bytes: str | None = None,
                     status: str = "Active", names: bool = True) -> list[Alloc]:
    """``n`` allocations on ``resource``, each in its own project, with stored names and quota values."""
    from coldfront.core.allocation.models import (
        Allocation,
        AllocationAttribute,
        AllocationAttributeType,
        AllocationStatusChoice,
    )
    from coldfront.core.field_of_science.models import FieldOfScience
    from coldfront.core.project.models import Project, ProjectStatusChoice
    from django.contrib.auth.models import User

    types = {t.name: t for t in AllocationAttributeType.objects.filter(name__in=[
        attributes.NAMESPACE, attributes.BUCKET, attributes.QUOTA_TB, attributes.QUOTA_BYTES])}
    fos = FieldOfScience.objects.get(pk=149)
    active_project = ProjectStatusChoice.objects.get(name="Active")
    alloc_status = AllocationStatusChoice.objects.get(name=status)
    today = datetime.date.today()
    made = []
    for _ in range(n):
        i = next(_counter)
        user = User.objects.create_user(f"pi{i}")
        project = Project.objects.create(title=f"Lab {i}", pi=user, description="a test project",
                                         field_of_science=fos, status=active_project)
        allocation = Allocation.objects.create(project=project, status=alloc_status, quantity=1, justification="t",
                                               start_date=today, end_date=today + datetime.timedelta(days=365))
        allocation.resources.add(resource)
        ns, bucket = f"lab-{i}", f"lab-{i}-bucket"
        values = {attributes.QUOTA_TB: quota_tb, attributes.QUOTA_BYTES: quota_bytes}
        if names:
            values.update({attributes.NAMESPACE: ns, attributes.BUCKET: bucket})
        for name, value in values.items():
            if value is not None:
                AllocationAttribute.objects.create(allocation=allocation, allocation_attribute_type=types[name],
                                                   value=value)
        made.append(Alloc(allocation.pk, ns, bucket))
    return made


def start_simulator(ca_out, *args: str):
    """tests/conftest.py's ``start_simulator`` (its module name clashes with ours, so find it loaded)."""
    import sys

    for module in list(sys.modules.values()):
        function = getattr(module, "start_simulator", None)
        if function is not None and function is not start_simulator and getattr(module, "SimulatorHandle", None):
            return function(ca_out, *args)
    raise RuntimeError("tests/conftest.py is not loaded")


def ecs_client(sim):
    from coldfront_ecs_plugin.ecs import ECSClient

    return ECSClient(sim.base_url, sim.user, sim.password, verify=sim.ca_path, timeout=10)


def provision_on_sim(sim, allocs: list[Alloc], *, quota_gb: int | None = 2048, usage_bytes: int = 3 * GIB) -> None:
    """Namespaces, buckets, quotas and usage on the simulator, then zero the counters."""
    with ecs_client(sim) as client:
        rg = client.replication_group_id("rg1")
        for a in allocs:
            client.create_namespace(a.namespace, replication_group_id=rg)
            client.create_bucket(a.namespace, a.bucket)
            if quota_gb is not None:
                client.set_namespace_quota(a.namespace, quota_gb, max(1, quota_gb * 9 // 10))
    for a in allocs:
        sim.set_usage(a.namespace, a.bucket, usage_bytes, 1)


def values(pk: int) -> dict[str, tuple[str, float | None]]:
    """attribute name → (value, usage or None) for one allocation."""
    from coldfront.core.allocation.models import AllocationAttribute

    out = {}
    for attr in AllocationAttribute.objects.filter(allocation_id=pk).select_related("allocation_attribute_type"):
        usage = getattr(attr, "allocationattributeusage", None)
        out[attr.allocation_attribute_type.name] = (attr.value, usage.value if usage else None)
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
