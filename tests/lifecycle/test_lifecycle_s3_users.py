"""ECS object users follow the allocation's members (``ECS_S3_USERS``), through ColdFront's own views."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from coldfront_ecs_plugin.models import ECSObjectUser, ObjectUserState
from coldfront_ecs_plugin.services.s3_users import MAX_USERID, object_user_id
from harness.lifecycle import set_status_in_view
from harness.secrets import every_text_in_database
from harness.sync import sync_json

NS = "s3-lab"


@pytest.fixture
def s3(settings):
    settings.ECS_S3_USERS = True


def _member(allocation, user, status: str = "Active"):
    """An allocation user (a project user too, as ColdFront's views and emails expect); no signal."""
    from coldfront.core.allocation.models import AllocationUser, AllocationUserStatusChoice

    if not allocation.project.projectuser_set.filter(user=user).exists():
        _project_member(allocation.project, user)
    return AllocationUser.objects.create(
        allocation=allocation, user=user, status=AllocationUserStatusChoice.objects.get(name=status)
    )


def _project_member(project, user):
    from coldfront.core.project.models import ProjectUser, ProjectUserRoleChoice, ProjectUserStatusChoice

    ProjectUser.objects.create(
        project=project,
        user=user,
        role=ProjectUserRoleChoice.objects.get(name="User"),
        status=ProjectUserStatusChoice.objects.get(name="Active"),
    )


def _add_in_view(world, allocation, user):
    """The PI's "add users" page (AllocationAddUsersView) for one project member: sends allocation_activate_user."""
    _project_member(allocation.project, user)
    data = {
        "userform-TOTAL_FORMS": 1,
        "userform-INITIAL_FORMS": 1,
        "userform-MIN_NUM_FORMS": 0,
        "userform-MAX_NUM_FORMS": 1,
        "userform-0-selected": "on",
    }
    return world.client.post(reverse("allocation-add-users", kwargs={"pk": allocation.pk}), data)


def _ecs_users(world) -> list[str]:
    return sorted(uid for uid, rec in world.state()["users"].items() if rec["namespace"] == NS)


def _approved_with_members(world, *usernames: str):
    allocation = world.allocation("S3 Lab", quota_tb="1")
    for name in usernames:
        _member(allocation, world.user(name))
    world.approve(allocation)
    return allocation


def test_object_user_ids_are_unique_per_namespace_and_username_and_fit_ecs():
    assert object_user_id("a-b", "c") != object_user_id("a", "b-c")
    assert object_user_id("lab", "Alice") != object_user_id("lab", "alice")
    long_id = object_user_id("n" * 63, "u" * 150)
    assert len(long_id) == MAX_USERID and long_id.startswith("n" * 40)
    assert object_user_id("lab", "ann") == object_user_id("lab", "ann")
    assert object_user_id("lab", "ann").startswith("lab-ann-")


def test_approval_creates_object_users_for_the_members_already_there(world, s3):
    allocation = _approved_with_members(world, "ann", "bob")
    assert _ecs_users(world) == sorted([object_user_id(NS, "ann"), object_user_id(NS, "bob")])
    assert ECSObjectUser.objects.filter(binding__allocation_id=allocation.pk, state=ObjectUserState.ACTIVE).count() == 2


def test_off_by_default_creates_none(world):
    _approved_with_members(world, "ann")
    assert _ecs_users(world) == [] and ECSObjectUser.objects.count() == 0


def test_added_in_the_view_gets_one_removed_in_the_view_loses_it_with_its_keys(world, s3):
    allocation = _approved_with_members(world, "ann")
    assert _add_in_view(world, allocation, world.user("carl")).status_code == 302
    carl_id = object_user_id(NS, "carl")
    assert carl_id in _ecs_users(world)
    with world.ecs_client() as client:
        client.create_secret_key(carl_id, NS)

    data = {
        "userform-TOTAL_FORMS": 2,
        "userform-INITIAL_FORMS": 2,
        "userform-MIN_NUM_FORMS": 0,
        "userform-MAX_NUM_FORMS": 2,
    }
    users = list(
        allocation.allocationuser_set.exclude(user=allocation.project.pi)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    data.update({f"userform-{i}-selected": "on" for i, name in enumerate(users) if name == "carl"})
    response = world.client.post(reverse("allocation-remove-users", kwargs={"pk": allocation.pk}), data)
    assert response.status_code == 302
    assert _ecs_users(world) == [object_user_id(NS, "ann")]
    assert ECSObjectUser.objects.get(username="carl").state == ObjectUserState.REMOVED


def test_lock_removes_object_users_and_their_keys_restore_brings_users_back_no_secret_kept(world, s3, settings, caplog):
    settings.ECS_ON_EXPIRE = "lock"
    caplog.set_level(logging.DEBUG)
    allocation = _approved_with_members(world, "ann")
    ann_id = object_user_id(NS, "ann")
    with world.ecs_client() as client:
        secret = client.create_secret_key(ann_id, NS)
    from harness.lifecycle import expire_by_task, renew

    expire_by_task(allocation)
    assert _ecs_users(world) == []
    renew(world, allocation)
    assert ann_id in _ecs_users(world)
    with world.ecs_client() as client:
        assert client.get_secret_keys(ann_id, NS).count == 0  # a new key is the member's to ask for
    assert not [row for row in every_text_in_database() if secret in row[2]]
    assert secret not in caplog.text


def test_revoked_in_the_view_removes_members_and_the_sync_does_not_bring_them_back(world, s3, settings):
    settings.ECS_ON_REVOKE = "freeze"
    allocation = _approved_with_members(world, "ann")
    set_status_in_view(world, allocation, "Revoked")
    assert _ecs_users(world) == []
    sync_json()
    assert _ecs_users(world) == []


def test_sync_reconciles_members_changed_without_a_signal(world, s3):
    allocation = _approved_with_members(world, "ann")
    _member(allocation, world.user("dora"))  # e.g. the Django admin: no signal
    report, _code = sync_json()
    assert object_user_id(NS, "dora") in _ecs_users(world)
    assert [n for n in report["notes"] if "object users updated" in n]
    report, _code = sync_json()
    assert not [n for n in report["notes"] if "object users" in n]  # nothing drifted: no ECS call


def test_a_strangers_object_user_is_never_adopted(world, s3):
    allocation = _approved_with_members(world)
    ann_id = object_user_id(NS, "ann")
    with world.ecs_client() as client:  # someone else's object user already has ann's id
        client.create_object_user(ann_id, NS)
    _member(allocation, world.user("ann"))
    report, _code = sync_json()
    row = ECSObjectUser.objects.get(username="ann")
    assert row.state == ObjectUserState.CONFLICT and "not this plugin's" in row.last_error
    assert [n for n in report["notes"] if "not all updated" in n and ann_id in n]
    assert _ecs_users(world) == [ann_id]  # left as it was


def _notes_with(report: dict, text: str) -> list[str]:
    return [n for n in report["notes"] if text in n]


def test_an_object_user_ecs_failed_to_create_is_created_by_the_next_sync(world, s3):
    allocation = _approved_with_members(world)
    _member(allocation, world.user("erin"))  # no signal: the sync reconciles it
    world.sim.faults(endpoints={"POST /object/users": 1.0}, kinds=["500"])
    try:
        report, _code = sync_json()
    finally:
        world.sim.faults()
    erin_id = object_user_id(NS, "erin")
    row = ECSObjectUser.objects.get(username="erin")
    assert row.state == ObjectUserState.FAILED and row.last_error.startswith(
        f"could not create object user {erin_id!r}"
    )
    assert _notes_with(report, f"could not create object user {erin_id!r}") and _ecs_users(world) == []

    sync_json()

    assert ECSObjectUser.objects.get(username="erin").state == ObjectUserState.ACTIVE
    assert _ecs_users(world) == [erin_id]


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("POST /object/users/deactivate", "could not deactivate object user"),
        ("POST /object/user-secret-keys/{uid}/deactivate", "could not delete the secret keys of"),
    ],
    ids=["user", "keys"],
)
def test_a_member_whose_object_user_ecs_failed_to_remove_is_removed_by_the_next_sync(world, s3, endpoint, reason):
    from coldfront.core.allocation.models import AllocationUserStatusChoice

    allocation = _approved_with_members(world, "fred")
    fred_id = object_user_id(NS, "fred")
    with world.ecs_client() as client:
        client.create_secret_key(fred_id, NS)
    allocation.allocationuser_set.filter(user__username="fred").update(
        status=AllocationUserStatusChoice.objects.get(name="Removed")
    )  # no signal: the sync reconciles it
    world.sim.faults(endpoints={endpoint: 1.0}, kinds=["500"])
    try:
        report, _code = sync_json()
    finally:
        world.sim.faults()
    assert _notes_with(report, f"{reason} {fred_id!r}"), report["notes"]
    assert ECSObjectUser.objects.get(username="fred").state == ObjectUserState.ACTIVE  # not removed: retried
    assert _ecs_users(world) == [fred_id]

    sync_json()

    assert ECSObjectUser.objects.get(username="fred").state == ObjectUserState.REMOVED
    assert _ecs_users(world) == []


def test_a_member_added_while_ecs_fails_gets_a_note_and_the_page_still_works(world, s3):
    allocation = _approved_with_members(world)
    gail = world.user("gail")
    world.sim.faults(endpoints={"POST /object/users": 1.0}, kinds=["500"])
    try:
        response = _add_in_view(world, allocation, gail)
    finally:
        world.sim.faults()
    assert response.status_code == 302  # ColdFront's page answers as usual
    assert allocation.allocationuser_set.filter(user=gail, status__name="Active").exists()
    [note] = [n for n in world.notes(allocation) if "gail" in n]
    assert note.startswith("ECS: could not create the S3 object user of gail: could not create object user ")
    assert note.endswith("; the next ecs_sync tries again")
    sync_json()
    assert _ecs_users(world) == [object_user_id(NS, "gail")]
