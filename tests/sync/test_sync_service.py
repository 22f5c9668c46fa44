"""ecs_sync as a service: values, usage, failures, dry run, history, counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.services import sync_db
from coldfront_ecs_plugin.services.sync import sync_resources, update_resource_usage
from coldfront_ecs_plugin.services.sync_cost import PROFILE_SHAPES, measured_terms, run_cost
from harness.simulator import start_simulator
from harness.sync import GIB, history_rows, make_allocations, make_resource, provision_on_sim, resource_values, values

TB = attributes.QUOTA_TB
BYTES = attributes.QUOTA_BYTES
pytestmark = pytest.mark.django_db


def test_quota_and_usage_values_are_written_and_reported(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 2, quota_tb="1", quota_bytes=str(2**40))
    provision_on_sim(sim, allocs, quota_gb=2048, usage_bytes=3 * GIB)

    report = sync_resources()

    assert report.ok, report.all_failures()
    assert (report.updated, report.unchanged, report.failed) == (2, 0, 0)
    for a in allocs:
        got = values(a.pk)
        assert got[TB] == ("2", 3 / 1024)
        assert got[BYTES] == (str(2 * 2**40), float(3 * GIB))
    first = [c for c in report.resources[0].changes if c.target_id == allocs[0].pk and c.name == TB]
    assert [(c.old, c.new) for c in first] == [("1", "2")]


def test_missing_quota_in_bytes_attribute_is_created_with_its_usage(ecs_resource, sim):
    [a] = make_allocations(ecs_resource, 1, quota_tb="2", quota_bytes=None)
    provision_on_sim(sim, [a], quota_gb=2048, usage_bytes=5 * GIB)

    assert sync_resources().ok

    got = values(a.pk)
    assert got[BYTES] == (str(2 * 2**40), float(5 * GIB))
    assert got[TB] == ("2", 5 / 1024)


def test_unlimited_quota_leaves_values_and_is_reported(ecs_resource, sim):
    [a] = make_allocations(ecs_resource, 1, quota_tb="7", quota_bytes=str(7 * 2**40))
    provision_on_sim(sim, [a], quota_gb=None, usage_bytes=GIB)

    report = sync_resources()

    assert report.ok
    got = values(a.pk)
    assert got[TB] == ("7", 1 / 1024)
    assert got[BYTES][0] == str(7 * 2**40)
    assert any("unlimited" in n for n in report.resources[0].notes)


def test_dry_run_writes_nothing(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 2, quota_tb="1", quota_bytes=None)
    provision_on_sim(sim, allocs)
    before = ([values(a.pk) for a in allocs], resource_values(ecs_resource), history_rows())

    report = sync_resources(dry_run=True)

    assert report.ok and report.updated == 2 and report.resources[0].changes
    assert ([values(a.pk) for a in allocs], resource_values(ecs_resource), history_rows()) == before


def test_unchanged_resync_writes_no_history(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 3)
    provision_on_sim(sim, allocs)
    assert sync_resources().ok
    rows = history_rows()

    report = sync_resources()

    assert report.ok and report.unchanged == 3 and report.updated == 0
    assert report.resources[0].changes == []
    assert history_rows() == rows


def test_missing_namespace_is_skipped_and_the_rest_synced(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 3, quota_tb="1", quota_bytes="5")
    provision_on_sim(sim, allocs[:2])

    report = sync_resources()

    assert not report.ok
    assert (report.updated, report.failed) == (2, 1)
    reasons = [f.reason for f in report.resources[0].failures if f.allocation_id == allocs[2].pk]
    assert reasons and all("not found" in r for r in reasons)
    assert values(allocs[2].pk)[TB] == ("1", 0.0)  # old value kept, no zero written from the failure
    assert values(allocs[2].pk)[BYTES] == ("5", 0.0)
    assert values(allocs[0].pk)[TB][0] == "2"


def test_failed_usage_read_keeps_old_usage(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 2, quota_tb="1")
    provision_on_sim(sim, allocs, usage_bytes=GIB)
    assert sync_resources().ok
    sim.set_usage(allocs[0].namespace, allocs[0].bucket, 9 * GIB)
    sim.faults(
        endpoints={
            "POST /object/billing/namespace/info": 1.0,
            "POST /object/billing/buckets/{namespace}/info": 1.0,
            "GET /object/billing/namespace/{namespace}/info": 1.0,
            "GET /object/billing/buckets/{namespace}/{bucket}/info": 1.0,
        },
        kinds=["500"],
    )

    report = sync_resources()

    assert not report.ok and report.failed == 2
    assert values(allocs[0].pk)[TB] == ("2", 1 / 1024)  # the 9 GiB were never read: old usage kept


def test_failed_quota_read_keeps_old_quota_and_allocated(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 1, quota_tb="5")
    provision_on_sim(sim, allocs, usage_bytes=GIB)
    sim.faults(
        endpoints={"GET /object/namespaces": 1.0, "GET /object/namespaces/namespace/{namespace}/quota": 1.0},
        kinds=["503"],
    )

    report = sync_resources()

    assert report.failed == 1
    assert values(allocs[0].pk)[TB] == ("5", 1 / 1024)  # usage still synced, quota kept
    assert attributes.ALLOCATED_TB not in resource_values(ecs_resource)


def test_resource_capacity_used_and_allocated(ecs_resource, sim):
    allocs = make_allocations(ecs_resource, 2)
    provision_on_sim(sim, allocs, quota_gb=1536)
    provision_on_sim(sim, make_allocations(ecs_resource, 1), quota_gb=None)  # unlimited: counted, not summed
    sim.set_capacity(20480, 15360)

    report = sync_resources()

    assert report.ok, report.all_failures()
    assert resource_values(ecs_resource) == {
        attributes.URL: f"https://{sim.host_port}",
        attributes.CAPACITY_TB: "20",
        attributes.USED_TB: "5",
        attributes.ALLOCATED_TB: "3",
    }
    assert any("1 namespace(s) with unlimited quota" in n for n in report.resources[0].notes)


def test_expired_allocations_keep_syncing_while_their_storage_exists(ecs_resource, sim):
    """ECS still enforces an Expired allocation's quota and holds its data: its numbers stay true."""
    [active] = make_allocations(ecs_resource, 1)
    [expired] = make_allocations(ecs_resource, 1, status="Expired")
    [new] = make_allocations(ecs_resource, 1, status="New", names=False)
    provision_on_sim(sim, [active, expired])

    report = sync_resources()

    assert report.ok, report.to_dict()
    assert report.resources[0].allocations == 2
    assert values(expired.pk)[TB] == ("2", 3 / 1024)
    assert new.pk not in {u["allocation_id"] for u in report.unlinked}  # only Active ones are listed


def test_allocation_without_a_binding_is_listed_as_unlinked_not_failed(ecs_resource, sim):
    [a] = make_allocations(ecs_resource, 1, names=False)
    report = sync_resources()
    assert report.ok and report.resources[0].failures == []
    assert [u["allocation_id"] for u in report.unlinked] == [a.pk]
    assert "ecs_link" in report.unlinked[0]["reason"]
    assert values(a.pk)[TB] == ("1", 0.0)  # nothing derived from the title, nothing read or written


def by_endpoint_delta(start: dict, end: dict) -> dict[str, int]:
    return {k: v - start["by_endpoint"].get(k, 0) for k, v in end["by_endpoint"].items()}


def test_counts_http_logins_history(ecs_resource, sim):
    """Each run costs exactly what the README's formula says, term by term, on every profile."""
    allocs = make_allocations(ecs_resource, 20, quota_tb="1")
    provision_on_sim(sim, allocs)
    shape = PROFILE_SHAPES[sim.control("GET", "/_sim/state")["profile"]]
    expected = run_cost(namespaces_on_ecs=20, wanted=20, **shape).to_dict()
    before = sim.stats()

    first = sync_resources()
    mid = sim.stats()
    rows = history_rows()
    second = sync_resources()
    after = sim.stats()

    assert first.ok and second.ok
    for start, end in ((before, mid), (mid, after)):
        assert measured_terms(by_endpoint_delta(start, end)) == expected
        assert end["requests"] - start["requests"] == expected["total"]
        assert end["logins"] - start["logins"] == 1
    if shape["listing_has_quotas"]:
        assert expected["total"] / 20 <= 0.35  # 7 requests for 20 allocations
    assert after["active_tokens"] == 0  # logged out
    assert second.history_rows == 0 and history_rows() == rows


def test_values_changed_in_coldfront_during_the_read_are_left_for_the_next_run(ecs_resource, sim, monkeypatch):
    """A write committed after the ECS reading began is not overwritten with that older reading."""
    from coldfront.core.allocation.models import AllocationAttribute
    from django.utils import timezone

    from coldfront_ecs_plugin.services import sync as sync_service

    saved, updated, deleted, other = make_allocations(ecs_resource, 4, quota_tb="1", quota_bytes=str(2**40))
    provision_on_sim(sim, [saved, updated, deleted, other], quota_gb=2048, usage_bytes=3 * GIB)
    original = sync_service._apply_endpoint

    def write_then_apply(*args, **kwargs):
        row = AllocationAttribute.objects.get(allocation_id=saved.pk, allocation_attribute_type__name=TB)
        row.value = "5"
        row.save()  # history row
        AllocationAttribute.objects.filter(allocation_id=updated.pk, allocation_attribute_type__name=TB).update(
            value="6", modified=timezone.now()
        )  # no history row: found by ``modified``
        AllocationAttribute.objects.get(allocation_id=deleted.pk, allocation_attribute_type__name=BYTES).delete()
        return original(*args, **kwargs)

    monkeypatch.setattr(sync_service, "_apply_endpoint", write_then_apply)
    report = sync_resources()

    assert report.ok, report.all_failures()
    assert (report.updated, report.unchanged, report.failed) == (1, 3, 0)
    assert values(saved.pk)[TB][0] == "5"
    assert values(updated.pk)[TB][0] == "6"
    assert BYTES not in values(deleted.pk)
    assert values(other.pk)[TB] == ("2", 3 / 1024)
    notes = report.resources[0].notes
    for a in (saved, updated, deleted):
        assert (
            f"allocation {a.pk} ({a.namespace}): changed in ColdFront during the sync; left for the next run" in notes
        ), notes
    assert {c.target_id for c in report.resources[0].changes if c.target == "allocation"} == {other.pk}

    monkeypatch.setattr(sync_service, "_apply_endpoint", original)
    second = sync_resources()  # nothing changed during this one: ECS wins again
    assert second.ok and second.updated == 3 and not second.resources[0].notes
    for a in (saved, updated, deleted):
        assert values(a.pk)[TB] == ("2", 3 / 1024)
        assert values(a.pk)[BYTES] == (str(2 * 2**40), float(3 * GIB))


def test_sql_queries_do_not_grow_with_allocations(ecs_types, sim):
    small = make_resource("ECS small", sim.host_port)
    large = make_resource("ECS large", sim.host_port)
    small_allocs = make_allocations(small, 10, quota_tb="1")
    large_allocs = make_allocations(large, 30, quota_tb="1", quota_bytes=None)
    provision_on_sim(sim, small_allocs + large_allocs)

    counts = []
    for resource in (small, large, small, large):
        with CaptureQueriesContext(connection) as ctx:
            sync_resources([resource])
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts  # first run: everything changes
    assert counts[2] == counts[3], counts  # no-change run


def test_two_resources_on_one_endpoint_share_one_login(ecs_types, sim):
    a = make_resource("ECS one", sim.host_port)
    b = make_resource("ECS two", sim.host_port)
    provision_on_sim(sim, make_allocations(a, 2) + make_allocations(b, 2))
    before = sim.stats()["logins"]

    report = sync_resources()

    assert report.ok and report.updated == 4
    assert sim.stats()["logins"] - before == 1


def test_concurrent_change_before_the_write_is_not_lost(ecs_resource, sim, monkeypatch):
    [a] = make_allocations(ecs_resource, 1, quota_tb="1")
    provision_on_sim(sim, [a], quota_gb=2048)
    original = sync_db._lock

    def admin_edits_first(resource_id, allocation_ids):
        from coldfront.core.allocation.models import AllocationAttribute

        attr = AllocationAttribute.objects.get(allocation_id=a.pk, allocation_attribute_type__name=TB)
        attr.value = "2.0"
        attr.save()
        original(resource_id, allocation_ids)

    monkeypatch.setattr(sync_db, "_lock", admin_edits_first)
    report = sync_resources()

    assert report.ok
    assert not [c for c in report.resources[0].changes if c.name == TB]  # fresh value already says 2
    assert values(a.pk)[TB][0] == "2.0"


def test_update_resource_usage_facade(ecs_resource, sim):
    provision_on_sim(sim, make_allocations(ecs_resource, 1))
    report = update_resource_usage(ecs_resource)
    assert report.ok and report.updated == 1


def test_unusable_url_fails_that_resource_only(ecs_resource, sim):
    from coldfront.core.resource.models import Resource

    Resource.objects.create(name="ECS broken", description="x", resource_type=ecs_resource.resource_type)
    provision_on_sim(sim, make_allocations(ecs_resource, 1))

    report = sync_resources()

    broken = next(r for r in report.resources if r.name == "ECS broken")
    assert broken.resource_failed and "url" in broken.failures[0].reason
    assert report.updated == 1


def test_second_endpoint_in_parallel(ecs_resource, sim, tmp_path):
    other = start_simulator(tmp_path / "ca2.pem")
    try:
        from django.test import override_settings

        provision_on_sim(sim, make_allocations(ecs_resource, 2))
        second = make_resource("ECS second", other.host_port)
        provision_on_sim(other, make_allocations(second, 2))
        logins = other.stats()["logins"]
        # both simulators' CAs must be trusted: one bundle
        bundle = tmp_path / "bundle.pem"
        bundle.write_text(Path(sim.ca_path).read_text() + Path(other.ca_path).read_text())
        with override_settings(ECS_VERIFY_SSL=str(bundle)):
            report = sync_resources()
        assert report.ok and report.updated == 4
        assert len(report.endpoints) == 2
        assert other.stats()["logins"] - logins == 1
    finally:
        other.stop()
