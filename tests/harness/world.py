"""The ``World`` builder: ColdFront objects wired to a simulator, and ColdFront's own views driven as a superuser.

Used by the plugin-core suite (tests/plugin) and the reliability suite (tests/reliability); each suite's
``world`` fixture calls ``make_world`` with its own admin name and naming defaults.
"""

from __future__ import annotations

import datetime
import itertools
import os
from dataclasses import dataclass

from coldfront_ecs_plugin import attributes

_seq = itertools.count(1)


# -- allocation / resource attributes ------------------------------------------------------------
def set_resource_attr(resource, name: str, value: str) -> None:
    from coldfront_ecs_plugin.services import records

    records.set_resource_value(resource, name, value)


def set_attr(allocation, name: str, value: str) -> None:
    from coldfront_ecs_plugin.services import records

    records.set_value(allocation, name, value)


def attr(allocation, name: str):
    from coldfront_ecs_plugin.services import records

    return records.get_value(allocation, name)


def attr_count(allocation, name: str) -> int:
    return allocation.allocationattribute_set.filter(allocation_attribute_type__name=name).count()


def attr_names(allocation) -> list[str]:
    return sorted(allocation.allocationattribute_set.values_list("allocation_attribute_type__name", flat=True))


def notes(allocation) -> list[str]:
    return list(allocation.allocationadminnote_set.order_by("pk").values_list("note", flat=True))


def seed_defaults() -> None:
    """ColdFront's own defaults, as ``initial_setup`` seeds them (a transactional test flushes them)."""
    from coldfront.core.field_of_science.models import FieldOfScience
    from django.core.management import call_command

    with open(os.devnull, "w") as devnull:
        for command in ("add_default_project_choices", "add_resource_defaults", "add_allocation_defaults"):
            call_command(command, stdout=devnull)
    FieldOfScience.objects.get_or_create(pk=149, defaults={"description": "Other"})


@dataclass
class World:
    """Builds ColdFront objects wired to the simulator, and drives ColdFront's own views."""

    sim: object
    client: object
    admin: object
    # naming defaults for objects the caller does not name
    user_prefix: str = "pi"
    resource_prefix: str = "ECS-S3-"
    default_title: str = "Smith Lab"

    # -- objects ----------------------------------------------------------------------------
    def user(self, username: str | None = None):
        from django.contrib.auth.models import User

        return User.objects.create_user(username or f"{self.user_prefix}{next(_seq)}", password="x")

    def resource(
        self,
        name: str | None = None,
        *,
        url: str | None = None,
        replication_group: str | None = "rg1",
        ldap_domain: str | None = "example.org",
    ):
        from coldfront.core.resource.models import Resource, ResourceType

        resource = Resource.objects.create(
            name=name or f"{self.resource_prefix}{next(_seq)}",
            description="ECS object storage",
            resource_type=ResourceType.objects.get(name="Storage"),
        )
        values = {
            attributes.URL: url if url is not None else self.sim.host_port,
            attributes.REPLICATION_GROUP: replication_group,
            attributes.LDAP_DOMAIN: ldap_domain,
        }
        for key, value in values.items():
            if value is not None:
                set_resource_attr(resource, key, value)
        return resource

    def project(self, title: str, pi=None):
        from coldfront.core.field_of_science.models import FieldOfScience
        from coldfront.core.project.models import Project, ProjectStatusChoice

        return Project.objects.create(
            title=title,
            pi=pi or self.user(),
            description="A research project",
            field_of_science=FieldOfScience.objects.get(pk=149),
            status=ProjectStatusChoice.objects.get(name="Active"),
        )

    def allocation(
        self,
        title: str | None = None,
        *,
        resource=None,
        status: str = "New",
        quantity: int = 1,
        quota_tb: str | None = None,
        namespace: str | None = None,
        bucket: str | None = None,
        project=None,
    ):
        from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

        if project is None:
            project = self.project(self.default_title if title is None else title)
        # get_or_create: "Pending" (the fork's, and stock 1.1.7+'s) is not among ColdFront 1.1.6's defaults
        allocation = Allocation.objects.create(
            project=project,
            quantity=quantity,
            justification="needed",
            is_changeable=True,
            status=AllocationStatusChoice.objects.get_or_create(name=status)[0],
        )
        allocation.resources.add(resource or self.resource())
        for name, value in (
            (attributes.QUOTA_TB, quota_tb),
            (attributes.NAMESPACE, namespace),
            (attributes.BUCKET, bucket),
        ):
            if value is not None:
                set_attr(allocation, name, value)
        return allocation

    set_resource_attr = staticmethod(set_resource_attr)
    set_attr = staticmethod(set_attr)

    def set_status(self, allocation, status: str) -> None:
        from coldfront.core.allocation.models import AllocationStatusChoice

        allocation.status = AllocationStatusChoice.objects.get(name=status)
        allocation.save()

    # -- views ------------------------------------------------------------------------------
    def approve(self, allocation, action: str = "approve"):
        """POST the real approval form (AllocationDetailView) as a superuser; never a 500 page."""
        from coldfront.core.allocation.models import AllocationStatusChoice
        from django.urls import reverse

        today = datetime.date.today()
        data = {
            "status": AllocationStatusChoice.objects.get(name="Active").pk,
            "action": action,
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=365)).isoformat(),
            "description": "",
            "is_changeable": "on",
        }
        response = self.client.post(reverse("allocation-detail", kwargs={"pk": allocation.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        allocation.refresh_from_db()
        return response

    def request_change(self, allocation, new_value: str, name: str = attributes.QUOTA_TB):
        """A pending change request for one attribute (Storage Quota (TB)), as a PI would submit it."""
        from coldfront.core.allocation.models import (
            AllocationAttributeChangeRequest,
            AllocationChangeRequest,
            AllocationChangeStatusChoice,
        )

        attribute = allocation.allocationattribute_set.get(allocation_attribute_type__name=name)
        change = AllocationChangeRequest.objects.create(
            allocation=allocation,
            status=AllocationChangeStatusChoice.objects.get(name="Pending"),
            justification="more space please",
            end_date_extension=0,
        )
        AllocationAttributeChangeRequest.objects.create(
            allocation_change_request=change, allocation_attribute=attribute, new_value=new_value
        )
        return change

    def approve_change(self, change, new_value: str):
        """POST the real change-request approval (AllocationChangeDetailView)."""
        from django.urls import reverse

        data = {
            "action": "approve",
            "end_date_extension": 0,
            "notes": "",
            "attributeform-TOTAL_FORMS": 1,
            "attributeform-INITIAL_FORMS": 1,
            "attributeform-MIN_NUM_FORMS": 0,
            "attributeform-MAX_NUM_FORMS": 1,
            "attributeform-0-new_value": new_value,
        }
        response = self.client.post(reverse("allocation-change-detail", kwargs={"pk": change.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        return response

    def edit_attribute(self, allocation, name: str, value: str):
        """POST the real admin attribute-edit page, changing one attribute and keeping the others.

        The rows are read with the view's own query (no ORDER BY), so the form indexes line up with its formset.
        ColdFront before 1.1.8 has no such page: there the same change arrives the only way it can, through
        an approved change request (``allocation_change_approved``).
        """
        from django.urls import NoReverseMatch, reverse

        try:
            reverse("allocation-attribute-edit", kwargs={"pk": allocation.pk})
        except NoReverseMatch:
            return self.approve_change(self.request_change(allocation, value, name), value)

        rows = list(allocation.allocationattribute_set.select_related("allocation_attribute_type").all())
        data = {
            "attributeform-TOTAL_FORMS": len(rows),
            "attributeform-INITIAL_FORMS": len(rows),
            "attributeform-MIN_NUM_FORMS": 0,
            "attributeform-MAX_NUM_FORMS": len(rows),
        }
        for index, row in enumerate(rows):
            data[f"attributeform-{index}-value"] = value if row.allocation_attribute_type.name == name else row.value
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

    def fail(self, *endpoints: str, kinds=("500",)) -> None:
        """Make each named ECS endpoint fail every time with the given kinds (HTTP 500 by default)."""
        self.sim.faults(endpoints={e: 1.0 for e in endpoints}, kinds=list(kinds))

    def ecs_client(self):
        from harness.sync import ecs_client

        return ecs_client(self.sim)

    # -- allocation reads ------------------------------------------------------------------
    attr = staticmethod(attr)
    attr_count = staticmethod(attr_count)
    attr_names = staticmethod(attr_names)
    notes = staticmethod(notes)


def make_world(sim, client, admin_username: str, **defaults) -> World:
    """Plugin attribute types created (ecs_setup), ``client`` logged in as a new superuser, a ``World`` on ``sim``."""
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin.services.setup import ensure_attribute_types

    ensure_attribute_types()
    admin = User.objects.create_superuser(admin_username, "admin@example.org", "x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return World(sim=sim, client=client, admin=admin, **defaults)
