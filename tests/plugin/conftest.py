"""Fixtures for the plugin-core tests: real ColdFront objects, the real views, the session simulator."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import pytest

from coldfront_ecs_plugin import attributes

_seq = itertools.count(1)


@dataclass
class World:
    """Builds ColdFront objects wired to the simulator, and drives ColdFront's own views."""

    sim: object
    client: object
    admin: object

    # -- objects ----------------------------------------------------------------------------
    def user(self, username: str | None = None):
        from django.contrib.auth.models import User

        return User.objects.create_user(username or f"pi{next(_seq)}", password="x")

    def resource(self, name: str | None = None, *, url: str | None = None, replication_group: str | None = "rg1",
                 ldap_domain: str | None = "example.org"):
        from coldfront.core.resource.models import Resource, ResourceType

        resource = Resource.objects.create(name=name or f"ECS-S3-{next(_seq)}", description="ECS object storage",
                                           resource_type=ResourceType.objects.get(name="Storage"))
        values = {attributes.URL: url if url is not None else self.sim.host_port,
                  attributes.REPLICATION_GROUP: replication_group, attributes.LDAP_DOMAIN: ldap_domain}
        for key, value in values.items():
            if value is not None:
                self.set_resource_attr(resource, key, value)
        return resource

    def set_resource_attr(self, resource, name: str, value: str) -> None:
        from coldfront_ecs_plugin.services import records

        records.set_resource_value(resource, name, value)

    def project(self, title: str, pi=None):
        from coldfront.core.field_of_science.models import FieldOfScience
        from coldfront.core.project.models import Project, ProjectStatusChoice

        return Project.objects.create(title=title, pi=pi or self.user(), description="A research project",
                                      field_of_science=FieldOfScience.objects.get(pk=149),
                                      status=ProjectStatusChoice.objects.get(name="Active"))

    def allocation(self, title: str = "Smith Lab", *, resource=None, status: str = "New", quantity: int = 1,
                   quota_tb: str | None = None, namespace: str | None = None, bucket: str | None = None,
                   project=None):
        from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

        allocation = Allocation.objects.create(project=project or self.project(title), quantity=quantity,
                                               status=AllocationStatusChoice.objects.get(name=status),
                                               justification="needed", is_changeable=True)
        allocation.resources.add(resource or self.resource())
        for name, value in ((attributes.QUOTA_TB, quota_tb), (attributes.NAMESPACE, namespace),
                            (attributes.BUCKET, bucket)):
            if value is not None:
                self.set_attr(allocation, name, value)
        return allocation

    def set_attr(self, allocation, name: str, value: str) -> None:
        from coldfront_ecs_plugin.services import records

        records.set_value(allocation, name, value)

    # -- views ------------------------------------------------------------------------------
    def approve(self, allocation, action: str = "approve"):
        """POST the real approval form (AllocationDetailView) as a superuser."""
        from coldfront.core.allocation.models import AllocationStatusChoice
        from django.urls import reverse

        today = datetime.date.today()
        data = {"status": AllocationStatusChoice.objects.get(name="Active").pk, "action": action,
                "start_date": today.isoformat(), "end_date": (today + datetime.timedelta(days=365)).isoformat(),
                "description": "", "is_changeable": "on"}
        response = self.client.post(reverse("allocation-detail", kwargs={"pk": allocation.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        allocation.refresh_from_db()
        return response

    def set_status(self, allocation, status: str) -> None:
        from coldfront.core.allocation.models import AllocationStatusChoice

        allocation.status = AllocationStatusChoice.objects.get(name=status)
        allocation.save()

    def request_change(self, allocation, new_value: str):
        """A pending change request for Storage Quota (TB), as a PI would submit it."""
        from coldfront.core.allocation.models import (
            AllocationAttributeChangeRequest,
            AllocationChangeRequest,
            AllocationChangeStatusChoice,
        )

        attribute = allocation.allocationattribute_set.get(allocation_attribute_type__name=attributes.QUOTA_TB)
        change = AllocationChangeRequest.objects.create(
            allocation=allocation, status=AllocationChangeStatusChoice.objects.get(name="Pending"),
            justification="more space please", end_date_extension=0)
        AllocationAttributeChangeRequest.objects.create(allocation_change_request=change,
                                                        allocation_attribute=attribute, new_value=new_value)
        return change

    def approve_change(self, change, new_value: str):
        """POST the real change-request approval (AllocationChangeDetailView)."""
        from django.urls import reverse

        data = {"action": "approve", "end_date_extension": 0, "notes": "",
                "attributeform-TOTAL_FORMS": 1, "attributeform-INITIAL_FORMS": 1,
                "attributeform-MIN_NUM_FORMS": 0, "attributeform-MAX_NUM_FORMS": 1,
                "attributeform-0-new_value": new_value}
        response = self.client.post(reverse("allocation-change-detail", kwargs={"pk": change.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        return response

    def edit_attribute(self, allocation, name: str, value: str):
        """POST the real admin attribute-edit page, changing one attribute and keeping the others."""
        from django.urls import reverse

        rows = list(allocation.allocationattribute_set.select_related("allocation_attribute_type").all())
        data = {"attributeform-TOTAL_FORMS": len(rows), "attributeform-INITIAL_FORMS": len(rows),
                "attributeform-MIN_NUM_FORMS": 0, "attributeform-MAX_NUM_FORMS": len(rows)}
        for index, row in enumerate(rows):
            changed = row.allocation_attribute_type.name == name
            data[f"attributeform-{index}-value"] = value if changed else row.value
        response = self.client.post(reverse("allocation-attribute-edit", kwargs={"pk": allocation.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        return response

    # -- ECS state --------------------------------------------------------------------------
    def state(self) -> dict:
        return self.sim.control("GET", "/_sim/state")

    def namespaces(self) -> list[str]:
        return sorted(self.state()["namespaces"])

    def buckets(self) -> dict[str, list[str]]:
        return {ns: sorted(b) for ns, b in self.state()["buckets"].items() if b}

    def fail(self, *endpoints: str) -> None:
        """Make each named ECS endpoint answer HTTP 500, always."""
        self.sim.faults(endpoints={e: 1.0 for e in endpoints}, kinds=["500"])


    # -- allocation reads ------------------------------------------------------------------
    @staticmethod
    def attr(allocation, name: str):
        from coldfront_ecs_plugin.services import records

        return records.get_value(allocation, name)

    @staticmethod
    def attr_count(allocation, name: str) -> int:
        return allocation.allocationattribute_set.filter(allocation_attribute_type__name=name).count()

    @staticmethod
    def notes(allocation) -> list[str]:
        return list(allocation.allocationadminnote_set.order_by("pk").values_list("note", flat=True))


@pytest.fixture
def world(db, sim, client):
    """Plugin attribute types created (ecs_setup), a logged-in superuser, a reset simulator."""
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin.services.setup import ensure_attribute_types

    ensure_attribute_types()
    admin = User.objects.create_superuser("cfadmin", "admin@example.org", "x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return World(sim=sim, client=client, admin=admin)


@pytest.fixture
def fork(world, monkeypatch):
    """The FASRC-fork shim (tests/plugin/fork_shim.py), installed for this test only."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "ecs_core_fork_shim"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fork_shim.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file executes
        spec.loader.exec_module(module)
    return module.install(monkeypatch)
