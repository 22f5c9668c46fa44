"""A synced ECS world for the staff-page tests: one resource, three allocations with different usage."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.sync import GIB, ensure_types, make_allocations, make_resource, provision_on_sim

TIB = 2**40
#: (usage bytes) per allocation; quota is 2 TB each
USAGES = (int(0.5 * TIB), int(1.5 * TIB), 200 * GIB)


@dataclass
class PageWorld:
    resource: object
    allocs: list
    staff: object
    pi: object


@pytest.fixture
def page_urls(settings):
    settings.ROOT_URLCONF = "harness.ecs_urls"


def build_world(sim) -> PageWorld:
    """Three allocations provisioned on the simulator, usage and capacity set, then one real ecs_sync."""
    from coldfront.core.allocation.models import Allocation
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin.services.sync import sync_resources

    ensure_types()
    resource = make_resource("ECS page cluster", sim.host_port)
    allocs = make_allocations(resource, 3, quota_tb="2")
    provision_on_sim(sim, allocs, quota_gb=2048, bucket_quota=True)
    for alloc, usage in zip(allocs, USAGES, strict=True):
        sim.set_usage(alloc.namespace, alloc.bucket, usage, 10)
    sim.set_capacity(100 * 1024, 60 * 1024)
    report = sync_resources([resource])
    assert report.ok, report.to_dict()
    staff = User.objects.create_user("ecsstaff", "staff@example.org", "x", is_staff=True)
    pi = Allocation.objects.get(pk=allocs[0].pk).project.pi
    return PageWorld(resource, allocs, staff, pi)


@pytest.fixture
def page_world(db, sim, page_urls) -> PageWorld:
    return build_world(sim)


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
