"""Provisioning on stock ColdFront 1.1.10 through the real approval view and the simulator."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes, units
from harness.endpoints import BUCKET_CREATE, BUCKET_QUOTA, NS_CREATE, NS_DEACTIVATE, NS_QUOTA, VPOOLS


def test_approval_provisions_namespace_bucket_and_quotas(world):
    allocation = world.allocation("Smith Lab", quota_tb="2.5")
    world.approve(allocation)

    assert allocation.status.name == "Active"
    state = world.state()
    ns = state["namespaces"]["smith-lab"]
    assert ns["default_data_services_vpool"].startswith("urn:storageos:ReplicationGroupInfo")
    assert ns["user_mapping"][0]["domain"] == "example.org"
    assert ns["user_mapping"][0]["groups"] == ["Smith Lab"]
    bucket = state["buckets"]["smith-lab"]["lab-smith-lab-bucket"]
    assert bucket is not None
    assert world.attr(allocation, attributes.NAMESPACE) == "smith-lab"
    assert world.attr(allocation, attributes.BUCKET) == "lab-smith-lab-bucket"
    assert world.attr(allocation, attributes.QUOTA_BYTES) == str(units.tb_to_bytes(2.5))
    assert world.notes(allocation) == []


def test_quotas_on_ecs_match_the_allocation(world):
    from coldfront_ecs_plugin import conf
    from coldfront_ecs_plugin.connections import client_for_endpoint

    allocation = world.allocation("Quota Lab", quota_tb="1.5")
    world.approve(allocation)
    with client_for_endpoint(f"https://{world.sim.host_port}", conf.load()) as client:
        ns_quota = client.get_namespace_quota("quota-lab")
        bucket_quota = client.get_bucket_quota("quota-lab", "lab-quota-lab-bucket")
    assert (ns_quota.block_size_gb, ns_quota.notification_size_gb) == (1536, 1382)
    assert (bucket_quota.block_size_gb, bucket_quota.notification_size_gb) == (1536, 1382)


def test_quota_falls_back_to_quantity(world, settings):
    settings.ECS_TB_PER_QUANTITY = 2
    allocation = world.allocation("Quantity Lab", quantity=3)
    world.approve(allocation)
    assert world.attr(allocation, attributes.QUOTA_TB) == "6"
    assert world.attr(allocation, attributes.QUOTA_BYTES) == str(6 * 2**40)


def test_reapproval_and_renewal_are_idempotent(world):
    allocation = world.allocation("Renew Lab", quota_tb="1")
    world.approve(allocation)
    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    world.set_status(allocation, "Expired")
    world.approve(allocation, action="auto-approve")

    assert allocation.status.name == "Active"
    assert world.namespaces() == ["renew-lab"]
    assert world.buckets() == {"renew-lab": ["lab-renew-lab-bucket"]}
    for name in (attributes.NAMESPACE, attributes.BUCKET, attributes.QUOTA_TB, attributes.QUOTA_BYTES):
        assert world.attr_count(allocation, name) == 1
    assert world.notes(allocation) == []


def test_renaming_the_project_changes_nothing(world):
    allocation = world.allocation("Old Name")
    world.approve(allocation)
    allocation.project.title = "Completely New Name"
    allocation.project.save()
    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    assert world.namespaces() == ["old-name"]
    assert world.attr(allocation, attributes.NAMESPACE) == "old-name"


def test_renewal_of_storage_lost_on_ecs_recreates_nothing_and_says_so(world):
    allocation = world.allocation("Half Lab")
    world.approve(allocation)
    world.sim.control("POST", "/_sim/reset")  # ECS lost everything; the binding stays
    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    # an active binding is never re-provisioned: the admin is told, and ecs_sync reports it too
    assert world.buckets() == {}
    assert any("namespace 'half-lab' was not found on ECS" in n for n in world.notes(allocation))


def test_non_ecs_resource_is_ignored(world):
    resource = world.resource("Cluster Storage")
    allocation = world.allocation("Other Lab", resource=resource)
    world.approve(allocation)
    assert allocation.status.name == "Active"
    assert world.namespaces() == []
    assert world.attr(allocation, attributes.NAMESPACE) is None


def test_resource_name_filter_is_configurable(world, settings):
    settings.ECS_RESOURCE_NAME_CONTAINS = "objstore"
    allocation = world.allocation("Filter Lab", resource=world.resource("ObjStore-1"))
    world.approve(allocation)
    assert world.namespaces() == ["filter-lab"]


def test_existing_foreign_namespace_is_refused_and_status_reverted(world):
    from coldfront_ecs_plugin import conf
    from coldfront_ecs_plugin.connections import client_for_endpoint

    with client_for_endpoint(f"https://{world.sim.host_port}", conf.load()) as client:
        client.create_namespace("taken-lab", replication_group_id=client.replication_group_id("rg1"))
    allocation = world.allocation("Taken Lab")
    world.approve(allocation)

    assert allocation.status.name == "New"
    assert world.namespaces() == ["taken-lab"]
    assert world.buckets() == {}
    [note] = world.notes(allocation)
    assert "already exists" in note and "Namespace attribute" in note


def test_namespace_attribute_adopts_an_existing_namespace(world):
    from coldfront_ecs_plugin import conf
    from coldfront_ecs_plugin.connections import client_for_endpoint

    with client_for_endpoint(f"https://{world.sim.host_port}", conf.load()) as client:
        client.create_namespace("legacy-ns", replication_group_id=client.replication_group_id("rg1"))
    resource = world.resource(replication_group=None)  # adopted namespace: its default group is used
    allocation = world.allocation("Legacy Lab", namespace="legacy-ns", resource=resource)
    world.approve(allocation)
    assert allocation.status.name == "Active", world.notes(allocation)
    assert world.buckets() == {"legacy-ns": ["lab-legacy-ns-bucket"]}


def test_missing_replication_group_is_a_clear_error(world):
    allocation = world.allocation("No RG Lab", resource=world.resource(replication_group=None))
    world.approve(allocation)
    assert allocation.status.name == "New"
    assert world.namespaces() == []
    assert "replication_group" in world.notes(allocation)[0]


def test_unknown_replication_group_is_a_clear_error(world):
    allocation = world.allocation("Bad RG Lab", resource=world.resource(replication_group="nope"))
    world.approve(allocation)
    assert world.namespaces() == []
    assert "'nope'" in world.notes(allocation)[0]


def test_without_ldap_domain_no_user_mapping(world):
    allocation = world.allocation("No LDAP Lab", resource=world.resource(ldap_domain=None))
    world.approve(allocation)
    assert not world.state()["namespaces"]["no-ldap-lab"].get("user_mapping")


def test_ldap_group_source_pi_username(world, settings):
    settings.ECS_LDAP_GROUP_SOURCE = "pi_username"
    pi = world.user("jsmith")
    allocation = world.allocation(project=world.project("PI Lab", pi=pi))
    world.approve(allocation)
    assert world.state()["namespaces"]["pi-lab"]["user_mapping"][0]["groups"] == ["jsmith"]


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_bad_quota_refused_before_any_write(world, value):
    allocation = world.allocation("Zero Lab", quota_tb=value)
    before = world.sim.stats()
    world.approve(allocation)
    assert allocation.status.name == "New"
    assert world.namespaces() == []
    assert "quota" in world.notes(allocation)[0]
    after = world.sim.stats()
    assert after.get("by_endpoint", {}).get(NS_CREATE) == before.get("by_endpoint", {}).get(NS_CREATE)


def test_missing_credentials_refused_and_reported(world, settings):
    settings.ECS_PASS = ""
    allocation = world.allocation("Creds Lab")
    world.approve(allocation)
    assert allocation.status.name == "New"
    assert "ECS_PASS" in world.notes(allocation)[0]


def test_bad_url_refused_and_reported(world):
    allocation = world.allocation("Url Lab", resource=world.resource(url="ftp://host"))
    world.approve(allocation)
    assert allocation.status.name == "New"
    assert "url" in world.notes(allocation)[0]


def test_ecs_error_while_checking_existence_is_not_absence(world):
    world.fail("GET /object/namespaces/namespace/{namespace}")
    allocation = world.allocation("Check Lab")
    world.approve(allocation)
    world.sim.faults()
    assert allocation.status.name == "New"
    assert world.namespaces() == []
    assert "could not check" in world.notes(allocation)[0]


# a new bucket gets its quota in the create call, so there is no separate bucket-quota step to fail
@pytest.mark.parametrize("endpoint", [VPOOLS, NS_CREATE, NS_QUOTA, BUCKET_CREATE])
def test_failure_at_each_step_leaves_nothing_and_retry_succeeds(world, endpoint):
    allocation = world.allocation("Fault Lab", quota_tb="1")
    world.fail(endpoint)
    world.approve(allocation)

    assert allocation.status.name == "New"
    assert world.namespaces() == []
    assert world.buckets() == {}
    assert world.attr(allocation, attributes.NAMESPACE) is None
    [note] = world.notes(allocation)
    assert note.startswith("ECS: provisioning failed") and "approve again" in note

    world.sim.faults()
    world.approve(allocation)
    assert allocation.status.name == "Active"
    assert world.buckets() == {"fault-lab": ["lab-fault-lab-bucket"]}
    assert world.attr(allocation, attributes.NAMESPACE) == "fault-lab"


def test_failed_undo_is_named_in_the_note(world):
    world.fail(BUCKET_CREATE, NS_DEACTIVATE)
    allocation = world.allocation("Undo Lab")
    world.approve(allocation)
    world.sim.faults()
    [note] = world.notes(allocation)
    assert "left on ECS" in note and "undo-lab" in note
    assert world.namespaces() == ["undo-lab"]
    assert world.buckets() == {}


def test_status_reverts_to_renewal_requested(world):
    allocation = world.allocation("Revert Lab", resource=world.resource(replication_group="missing"))
    world.set_status(allocation, "Renewal Requested")
    world.approve(allocation)
    assert allocation.status.name == "Renewal Requested"


def test_logs_carry_the_category_and_never_the_password(world, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    good = world.allocation("Log Lab")
    world.approve(good)
    world.fail(BUCKET_CREATE)
    bad = world.allocation("Log Fail Lab")
    world.approve(bad)
    world.sim.faults()

    mine = ("coldfront_ecs_plugin.services", "coldfront_ecs_plugin.signals")
    ours = [r for r in caplog.records if r.name.startswith(mine) and not r.name.startswith(mine[0] + ".sync")]
    assert any("provisioned allocation" in r.getMessage() for r in ours)
    assert any(r.levelno == logging.ERROR for r in ours)
    assert all(getattr(r, "category", None) == attributes.LOG_CATEGORY for r in ours)
    assert all("ChangeMe" not in (r.getMessage() + (r.exc_text or "")) for r in caplog.records)


def test_an_explained_failure_logs_one_line_and_a_bug_its_traceback(world, caplog, monkeypatch):
    """A refusal the admin can act on is one ERROR line with its reason; an unexpected error keeps its traceback."""
    import logging

    from coldfront_ecs_plugin.services import provisioning

    caplog.set_level(logging.INFO, logger="coldfront_ecs_plugin")
    refused = world.allocation("研究室")
    world.approve(refused)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert refused.status.name == "New" and len(errors) == 1
    assert "Namespace attribute" in errors[0].getMessage() and errors[0].exc_info is None

    caplog.clear()

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(provisioning, "_provision", broken)
    crashed = world.allocation("Crash Lab")
    world.approve(crashed)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert crashed.status.name == "New"
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in errors)


def test_admin_note_author_is_the_approving_admin(world):
    allocation = world.allocation("Author Lab", resource=world.resource(replication_group=None))
    world.approve(allocation)
    note = allocation.allocationadminnote_set.get()
    assert note.author == world.admin


def test_signal_wiring_survives_a_second_ready():
    from coldfront.core.allocation import signals as cf

    from coldfront_ecs_plugin.signals import connect_receivers

    before = len(cf.allocation_activate.receivers)
    quota_signal = (
        "allocation_attribute_changed"
        if hasattr(cf, "allocation_attribute_changed")
        else ("allocation_change_approved")
    )  # ColdFront < 1.1.8: compat.py
    connected = connect_receivers()
    assert sorted(connected) == sorted(
        [
            "pre_save(Allocation)",
            "post_save(Allocation)",
            "allocation_activate",
            quota_signal,
            "allocation_disable",
            "allocation_activate_user",
            "allocation_remove_user",
        ]
    )  # the last five: issue 11's lifecycle
    assert len(cf.allocation_activate.receivers) == before


def test_renewal_writes_nothing_to_ecs(world):
    """An active binding's renewal only reads: login, local VDC, namespace quota, logout."""
    allocation = world.allocation("Keep Lab", quota_tb="1")
    world.approve(allocation)
    world.set_status(allocation, "Renewal Requested")
    world.fail(BUCKET_QUOTA, NS_QUOTA)  # a write would fail the renewal
    before = world.sim.stats()["requests"]
    world.approve(allocation)
    world.sim.faults()

    assert allocation.status.name == "Active"
    assert world.sim.stats()["requests"] - before == 4
    assert world.buckets() == {"keep-lab": ["lab-keep-lab-bucket"]}
    assert world.notes(allocation) == []


def test_fresh_provisioning_http_requests(world):
    """login, local VDC, namespace check, replication groups, namespace, its quota, bucket with quota, logout."""
    before = world.sim.stats()["requests"]
    world.approve(world.allocation("Count Lab"))
    assert world.sim.stats()["requests"] - before == 8


def test_reason_is_shown_to_admins_on_the_allocation_page_and_hidden_from_the_pi(world):
    """ColdFront's allocation page lists user notes; the reason is a private one (superusers only)."""
    from django.test import Client

    allocation = world.allocation("Visible Lab", resource=world.resource(replication_group=None))
    world.approve(allocation)
    page = world.client.get(f"/allocation/{allocation.pk}/").content.decode()
    assert "ECS: provisioning failed" in page and "replication_group" in page

    pi = allocation.project.pi
    from coldfront.core.allocation.models import AllocationUser, AllocationUserStatusChoice
    from coldfront.core.project.models import ProjectUser, ProjectUserRoleChoice, ProjectUserStatusChoice

    ProjectUser.objects.create(
        project=allocation.project,
        user=pi,
        role=ProjectUserRoleChoice.objects.get(name="Manager"),
        status=ProjectUserStatusChoice.objects.get(name="Active"),
    )
    AllocationUser.objects.create(
        allocation=allocation, user=pi, status=AllocationUserStatusChoice.objects.get(name="Active")
    )
    pi_client = Client()
    pi_client.force_login(pi, backend="django.contrib.auth.backends.ModelBackend")
    pi_page = pi_client.get(f"/allocation/{allocation.pk}/")
    assert pi_page.status_code == 200
    assert "ECS: provisioning failed" not in pi_page.content.decode()


def test_an_allocation_created_active_goes_back_to_new_when_provisioning_fails(world):
    """No earlier status in its history (made Active by a script): "New" is where a retry starts from.
    The receiver also takes the fork-style ``allocation_obj`` argument."""
    from coldfront_ecs_plugin import signals
    from harness.endpoints import NS_CREATE

    allocation = world.allocation("Scripted Lab", quota_tb="1", status="Active")
    world.fail(NS_CREATE)
    try:
        signals.on_allocation_activate(None, allocation_obj=allocation)
    finally:
        world.sim.faults()
    allocation.refresh_from_db()
    assert allocation.status.name == "New"
    [note] = world.notes(allocation)
    assert note.startswith("ECS: provisioning failed; status put back to 'New'. Fix the cause, then approve again.")
    assert world.namespaces() == []
