"""Near-quota email after ecs_sync: once per crossing, re-armed below, digest for staff, nothing when off."""

from __future__ import annotations

import pytest
from django.core import mail

from coldfront_ecs_plugin.services.sync import sync_resources
from harness.sync import ensure_types, make_allocations, make_resource, provision_on_sim

TIB = 2**40


@pytest.fixture
def alert_world(db, sim, settings, monkeypatch):
    import coldfront.core.utils.mail as coldfront_mail
    from coldfront.core.allocation.models import Allocation
    from coldfront.core.project.models import ProjectUser, ProjectUserRoleChoice, ProjectUserStatusChoice
    from django.contrib.auth.models import User

    monkeypatch.setattr(coldfront_mail, "EMAIL_ENABLED", True)  # ColdFront reads it once, at import
    settings.EMAIL_SENDER = "hpc@example.org"
    settings.ECS_USAGE_ALERT_PERCENTS = [80, 95, 100]
    ensure_types()
    resource = make_resource("ECS alert cluster", sim.host_port)
    [alloc] = make_allocations(resource, 1, quota_tb="1")
    provision_on_sim(sim, [alloc], quota_gb=1024, usage_bytes=0)
    project = Allocation.objects.get(pk=alloc.pk).project
    project.pi.email = "pi@example.org"
    project.pi.save()
    manager = User.objects.create_user("labmanager", "manager@example.org")
    ProjectUser.objects.create(
        project=project,
        user=manager,
        role=ProjectUserRoleChoice.objects.get_or_create(name="Manager")[0],
        status=ProjectUserStatusChoice.objects.get_or_create(name="Active")[0],
    )

    def sync_at(fraction: float) -> list:
        sim.set_usage(alloc.namespace, alloc.bucket, int(fraction * TIB), 1)
        mail.outbox.clear()
        assert sync_resources([resource]).ok
        return list(mail.outbox)

    return alloc, sync_at


def test_one_email_per_crossing_and_rearmed(alert_world):
    alloc, sync_at = alert_world
    assert sync_at(0.5) == []
    [first] = sync_at(0.85)
    assert sorted(first.to) == ["manager@example.org", "pi@example.org"]
    assert f"allocation {alloc.pk}" in first.subject and "85 %" in first.subject
    assert alloc.bucket in first.body and "0.850 TB of 1.00 TB" in first.body and "change-request" in first.body
    assert first.from_email == "hpc@example.org"
    assert sync_at(0.86) == []  # same threshold: not again
    [second] = sync_at(1.2)  # jumps past 95 and 100: one email, naming the highest
    assert "reached 100 %" in second.body
    assert sync_at(0.5) == []  # re-armed silently
    assert len(sync_at(0.9)) == 1


def test_off_by_default(alert_world, settings):
    _alloc, sync_at = alert_world
    settings.ECS_USAGE_ALERT_PERCENTS = []
    assert sync_at(0.99) == []


def test_admin_digest_lists_allocations_above_the_lowest_threshold(alert_world, settings):
    from django.contrib.auth.models import User

    alloc, sync_at = alert_world
    settings.ECS_USAGE_ALERT_ADMIN_DIGEST = True
    User.objects.create_user("digeststaff", "staff@example.org", is_staff=True)
    sent = sync_at(0.9)
    digests = [m for m in sent if m.to == ["staff@example.org"]]
    assert len(sent) == 2 and len(digests) == 1
    assert f"allocation {alloc.pk}" in digests[0].body and "90 %" in digests[0].body
    assert len([m for m in sync_at(0.92) if m.to == ["staff@example.org"]]) == 1  # one digest per sync
    assert sync_at(0.1) == []  # nobody above: no digest


def test_nobody_to_email_is_logged_and_the_level_still_stored(alert_world, caplog):
    """A PI and managers without an address: no email, a warning, and no repeat on the next sync."""
    from coldfront.core.allocation.models import Allocation
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin.report_models import ECSUsageAlert

    alloc, sync_at = alert_world
    project = Allocation.objects.get(pk=alloc.pk).project
    User.objects.filter(pk=project.pi_id).update(email="")
    User.objects.filter(username="labmanager").update(email="")
    assert sync_at(0.85) == []
    assert f"allocation {alloc.pk} is at 85 % of its quota but nobody has an email address" in caplog.text
    assert ECSUsageAlert.objects.get(allocation_id=alloc.pk).percent == 80
    caplog.clear()
    assert sync_at(0.86) == [] and "nobody has an email address" not in caplog.text


def test_digest_goes_to_email_admin_list_or_is_logged_without_staff(alert_world, settings, caplog):
    _alloc, sync_at = alert_world
    settings.ECS_USAGE_ALERT_ADMIN_DIGEST = True
    settings.EMAIL_ADMIN_LIST = ["ops@example.org"]
    assert [m.to for m in sync_at(0.9) if m.to == ["ops@example.org"]] == [["ops@example.org"]]
    settings.EMAIL_ADMIN_LIST = []  # and no staff account has an address
    sent = sync_at(0.91)
    assert sent == [] and "ECS usage digest: no staff email address (set EMAIL_ADMIN_LIST)" in caplog.text
