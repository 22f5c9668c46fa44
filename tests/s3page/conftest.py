"""An ECS allocation with S3 users for the S3 page tests: PI ``s3pi``, members ``ann`` and ``bob``, staff ``s3staff``.

Transactional, like the lifecycle suite: approval runs its ECS work after the commit, as in production,
and that work creates the members' object users.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.secrets import every_log_line as capture_every_log_line
from harness.world import make_world, seed_defaults, set_resource_attr

S3_ENDPOINT = "https://s3.example.org:9021"


@dataclass
class S3World:
    world: object
    allocation: object
    pi: object
    ann: object
    bob: object
    staff: object

    def row(self, username: str):
        from coldfront_ecs_plugin.models import ECSObjectUser

        return ECSObjectUser.objects.get(binding__allocation_id=self.allocation.pk, username=username)


def add_member(allocation, user) -> None:
    """A project user and an Active allocation user, without a signal (approval creates their object users)."""
    from coldfront.core.allocation.models import AllocationUser, AllocationUserStatusChoice
    from coldfront.core.project.models import ProjectUser, ProjectUserRoleChoice, ProjectUserStatusChoice

    ProjectUser.objects.get_or_create(
        project=allocation.project,
        user=user,
        defaults={
            "role": ProjectUserRoleChoice.objects.get(name="User"),
            "status": ProjectUserStatusChoice.objects.get(name="Active"),
        },
    )
    AllocationUser.objects.get_or_create(
        allocation=allocation, user=user, defaults={"status": AllocationUserStatusChoice.objects.get(name="Active")}
    )


def build_s3_world(sim, client) -> S3World:
    """Approved through ColdFront's own view with ``ECS_S3_USERS`` on: PI, ann and bob get object users."""
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin import attributes

    world = make_world(
        sim, client, "s3admin", user_prefix="s3u", resource_prefix="ECS-s3page-", default_title="S3 Page Lab"
    )
    pi = User.objects.create_user("s3pi", "pi@example.org", "x")
    allocation = world.allocation(project=world.project("S3 Page Lab", pi=pi), quota_tb="1")
    set_resource_attr(allocation.get_parent_resource, attributes.S3_ENDPOINT, S3_ENDPOINT)
    ann, bob = User.objects.create_user("ann", password="x"), User.objects.create_user("bob", password="x")
    for user in (pi, ann, bob):
        add_member(allocation, user)
    world.approve(allocation)
    staff = User.objects.create_user("s3staff", "staff@example.org", "x", is_staff=True)
    return S3World(world, allocation, pi, ann, bob, staff)


@pytest.fixture
def s3_settings(settings):
    settings.ROOT_URLCONF = "harness.ecs_urls"
    settings.ECS_S3_USERS = True
    settings.ECS_KEY_ROTATION_MINUTES = 60
    settings.ECS_ON_EXPIRE = "none"
    settings.ECS_ON_REVOKE = "none"
    return settings


@pytest.fixture
def s3world(transactional_db, django_db_blocker, sim, client, s3_settings) -> S3World:
    seed_defaults()
    yield build_s3_world(sim, client)
    with django_db_blocker.unblock():
        seed_defaults()


@pytest.fixture
def every_log_line():
    """Every log line of the test, at DEBUG (see ``harness.secrets.every_log_line``)."""
    with capture_every_log_line() as handler:
        yield handler


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
