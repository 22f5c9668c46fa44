"""An ECS allocation with S3 users for the S3 page tests: PI ``s3pi``, members ``ann`` and ``bob``, staff ``s3staff``.

Transactional, like the lifecycle suite: approval runs its ECS work after the commit, as in production,
and that work creates the members' object users.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

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


class EveryLogLine(logging.Handler):
    """Every record of every logger, formatted with its arguments (what a site's log file could hold)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args) + repr(getattr(record, "__dict__", {})))


@pytest.fixture
def every_log_line():
    """Root at DEBUG, every known logger propagating to one handler; restored afterwards."""
    handler = EveryLogLine()
    root = logging.getLogger()
    loggers = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    saved = [(lg, lg.level, lg.propagate, lg.disabled) for lg in loggers]
    saved_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.propagate, lg.disabled = True, False
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved_root)
    for lg, level, propagate, disabled in saved:
        lg.setLevel(level)
        lg.propagate, lg.disabled = propagate, disabled


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
