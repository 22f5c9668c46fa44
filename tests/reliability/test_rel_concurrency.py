"""Guarantee 3: concurrency on the real databases (the matrix runs this file on SQLite, PostgreSQL and
MariaDB): one namespace for two simultaneous activations, no lost update when ecs_sync overlaps an
approval or a quota change, and two ecs_sync runs at once serialise cleanly."""

from __future__ import annotations

import threading

import pytest

from coldfront_ecs_plugin import attributes
from harness.endpoints import NS_CREATE
from harness.sync import make_synced_allocations, provision_on_sim, sync_json, values
from harness.world import attr, notes


def run_in_threads(*targets, timeout: float = 60) -> list[BaseException]:
    """Start every target at the same moment (barrier); each thread closes its DB connection."""
    from django.db import connection

    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(target):
        def run():
            try:
                barrier.wait()
                target()
            except BaseException as exc:  # collected and asserted by the caller
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return errors


@pytest.mark.django_db(transaction=True)
def test_same_allocation_activated_twice_at_once_gives_one_namespace(reseed, world):
    """Two allocation_activate receivers race (as two approvals would): a row lock makes the second adopt."""
    from coldfront_ecs_plugin import signals

    allocation = world.allocation("Twice Lab", quota_tb="1")
    world.set_status(allocation, "Active")  # the view saves Active, then sends the signal
    world.sim.faults(latency_ms=30)  # widen the window
    errors = run_in_threads(*[lambda: signals.on_allocation_activate(None, allocation_pk=allocation.pk)] * 2)
    world.sim.faults()

    assert errors == []
    allocation.refresh_from_db()
    assert allocation.status.name == "Active" and notes(allocation) == []
    assert world.namespaces() == ["twice-lab"]
    assert world.buckets() == {"twice-lab": ["lab-twice-lab-bucket"]}
    assert world.sim.stats()["by_endpoint"][NS_CREATE] == 1
    names = list(allocation.allocationattribute_set.values_list("allocation_attribute_type__name", flat=True))
    for name in (attributes.NAMESPACE, attributes.BUCKET, attributes.QUOTA_TB, attributes.QUOTA_BYTES):
        assert names.count(name) == 1, names
    assert world.sim.stats()["active_tokens"] == 0


@pytest.mark.django_db(transaction=True)
def test_sync_during_an_approval_loses_nothing(reseed, world, settings):
    """ecs_sync reads ECS (slowly) while another allocation on the resource is approved and provisioned."""
    settings.ECS_SYNC_CONCURRENCY = 2
    resource = world.resource("ECS overlap")
    synced = make_synced_allocations(resource, 3)
    provision_on_sim(world.sim, synced, bucket_quota=True)
    newcomer = world.allocation("Newcomer Lab", resource=resource, quota_tb="5")
    read_started = threading.Event()

    from coldfront_ecs_plugin.services import sync as sync_service

    original = sync_service.read_endpoint

    def slow_read(*args, **kwargs):
        read_started.set()
        return original(*args, **kwargs)

    sync_service.read_endpoint = slow_read
    world.sim.faults(latency_ms=150)
    try:
        result: dict = {}

        def sync():
            result["report"], result["status"] = sync_json()

        def approve():
            from coldfront_ecs_plugin.services import provisioning

            assert read_started.wait(10)
            provisioning.provision(newcomer.pk)
            world.set_status(newcomer, "Active")

        errors = run_in_threads(sync, approve)
    finally:
        sync_service.read_endpoint = original
        world.sim.faults()

    assert errors == []
    assert result["status"] == 0, result["report"]
    assert attr(newcomer, attributes.NAMESPACE) == "newcomer-lab"
    assert float(attr(newcomer, attributes.QUOTA_TB)) == 5.0, "the approval's values survive the sync"
    for pk, _ns, _bucket in synced:
        assert float(values(pk)[attributes.QUOTA_TB][0]) == 2.0
    # and the next sync agrees with ECS for everyone, the newcomer included
    report, status = sync_json()
    assert status == 0 and report["failed"] == 0
    assert float(attr(newcomer, attributes.QUOTA_TB)) == 5.0


def test_quota_change_committed_during_sync_read_is_not_overwritten(world, monkeypatch):
    """Deterministic interleaving: ECS is read (2 TB), a quota change to 3 TB commits, then sync writes."""
    from coldfront_ecs_plugin.services import quota
    from coldfront_ecs_plugin.services import sync as sync_service

    resource = world.resource("ECS lost update")
    [(pk, ns, bucket)] = make_synced_allocations(resource, 1, quota_tb="2")
    provision_on_sim(world.sim, [(pk, ns, bucket)], quota_gb=2048, bucket_quota=True)
    original = sync_service._apply_endpoint

    def change_then_apply(*args, **kwargs):
        quota.change_quota(pk, 3.0)  # an approved change request lands between read and write
        return original(*args, **kwargs)

    monkeypatch.setattr(sync_service, "_apply_endpoint", change_then_apply)
    report, status = sync_json()
    with world.ecs_client() as client:
        assert client.get_namespace_quota(ns).block_size_gb == 3072
    assert float(values(pk)[attributes.QUOTA_TB][0]) == 3.0, "the quota change was lost"
    assert status == 0 and report["failed"] == 0, report
    [resource_report] = [r for r in report["resources"] if r["resource_id"] == resource.pk]
    assert any(f"allocation {pk} " in n and "left for the next run" in n for n in resource_report["notes"])
    assert not [c for c in resource_report["changes"] if c["target_id"] == pk and c["target"] == "allocation"]

    monkeypatch.setattr(sync_service, "_apply_endpoint", original)
    report, status = sync_json()  # the next run reads 3 TB and agrees
    assert status == 0 and report["failed"] == 0, report
    assert float(values(pk)[attributes.QUOTA_TB][0]) == 3.0


@pytest.mark.django_db(transaction=True)
def test_quota_change_waits_for_a_sync_holding_the_lock(reseed, world, monkeypatch):
    """A quota change that arrives while ecs_sync is writing waits for it, then wins (both on ECS and in DB)."""
    from coldfront_ecs_plugin.services import quota, sync_db

    resource = world.resource("ECS lock")
    [(pk, ns, bucket)] = make_synced_allocations(resource, 1, quota_tb="2")
    provision_on_sim(world.sim, [(pk, ns, bucket)], quota_gb=2048, bucket_quota=True)
    locked, original_write = threading.Event(), sync_db._write

    def slow_write(*args, **kwargs):
        locked.set()  # the resource and allocation rows are locked now
        threading.Event().wait(0.5)
        return original_write(*args, **kwargs)

    monkeypatch.setattr(sync_db, "_write", slow_write)
    result: dict = {}

    def sync():
        result["sync"] = sync_json()

    def change():
        assert locked.wait(10)
        result["change"] = quota.change_quota(pk, 4.0)

    errors = run_in_threads(sync, change)
    assert errors == []
    assert result["sync"][1] == 0
    with world.ecs_client() as client:
        assert client.get_namespace_quota(ns).block_size_gb == 4096
        assert client.get_bucket_quota(ns, bucket).block_size_gb == 4096
    assert float(values(pk)[attributes.QUOTA_TB][0]) == 4.0


@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_serialise_without_duplicate_writes(reseed, world, settings):
    """The second run waits for the first's lock, re-diffs, and finds nothing left to write."""
    from coldfront.core.allocation.models import AllocationAttribute

    settings.ECS_SYNC_CONCURRENCY = 2
    resource = world.resource("ECS twice")
    allocs = make_synced_allocations(resource, 6)
    provision_on_sim(world.sim, allocs, bucket_quota=True)
    world.sim.faults(latency_ms=20)
    reports: list = []
    errors = run_in_threads(lambda: reports.append(sync_json()), lambda: reports.append(sync_json()))
    world.sim.faults()

    assert errors == []
    assert [status for _r, status in reports] == [0, 0], reports
    assert sum(r["updated"] for r, _s in reports) == 6, "each allocation updated by exactly one run"
    for pk, _ns, _bucket in allocs:
        assert float(values(pk)[attributes.QUOTA_TB][0]) == 2.0
        for row in AllocationAttribute.objects.filter(allocation_id=pk):
            assert row.history.filter(history_change_reason="ecs_sync").count() <= 1, "written twice"
    assert world.sim.stats()["active_tokens"] == 0


def _quota_gb(world, ns: str, bucket: str) -> tuple[int, int]:
    with world.ecs_client() as client:
        return client.get_namespace_quota(ns).block_size_gb, client.get_bucket_quota(ns, bucket).block_size_gb


@pytest.mark.django_db(transaction=True)
def test_two_quota_changes_of_one_allocation_at_once_run_one_after_the_other(reseed, world, monkeypatch):
    """The first change pauses between ECS and ColdFront (up to 1 s, or until the second has recorded): the
    second waits for the first's lease instead of setting ECS in between, so ECS ends with the value
    ColdFront records last."""
    from coldfront_ecs_plugin.models import ECSBinding
    from coldfront_ecs_plugin.services import quota, records

    resource = world.resource("ECS two changes")
    [(pk, ns, bucket)] = make_synced_allocations(resource, 1, quota_tb="2")
    provision_on_sim(world.sim, [(pk, ns, bucket)], quota_gb=2048, bucket_quota=True)
    events: list[tuple[str, float]] = []
    first_on_ecs, second_recorded = threading.Event(), threading.Event()
    apply_quota, record_quota = quota.apply_quota, records.record_quota

    def apply_then_pause(client, namespace, buckets, tb, settings):
        change = apply_quota(client, namespace, buckets, tb, settings)
        events.append(("ecs", tb))
        if tb == 3.0:
            first_on_ecs.set()
            second_recorded.wait(1.0)  # without the lease the second change runs all through here
        return change

    def record(allocation, tb):
        record_quota(allocation, tb)
        events.append(("record", tb))
        if tb == 4.0:
            second_recorded.set()

    monkeypatch.setattr(quota, "apply_quota", apply_then_pause)
    monkeypatch.setattr(records, "record_quota", record)

    def second():
        assert first_on_ecs.wait(10)
        quota.change_quota(pk, 4.0)

    errors = run_in_threads(lambda: quota.change_quota(pk, 3.0), second)

    assert errors == []
    assert events == [("ecs", 3.0), ("record", 3.0), ("ecs", 4.0), ("record", 4.0)], "the changes overlapped"
    assert _quota_gb(world, ns, bucket) == (4096, 4096)
    assert values(pk)[attributes.QUOTA_TB][0] == "4"
    assert values(pk)[attributes.QUOTA_BYTES][0] == str(4 * 2**40)
    assert ECSBinding.objects.get(allocation_id=pk).quota_lease is None
    assert world.sim.stats()["active_tokens"] == 0


@pytest.mark.django_db(transaction=True)
def test_quota_change_overlapping_a_sync_is_not_undone_by_its_older_reading(reseed, world, monkeypatch):
    """ECS was changed out of band (2 TB) and an admin applies ColdFront's 4 TB again. The sync reads 2 TB,
    then the change sets 4 TB on ECS (ColdFront already says 4: nothing new to record) and, holding its
    lease, waits until the sync has written: the sync must leave the allocation for its next run, not
    write its older 2 TB into ColdFront."""
    from coldfront.core.allocation.models import Allocation

    from coldfront_ecs_plugin.models import ECSBinding
    from coldfront_ecs_plugin.services import quota, records
    from coldfront_ecs_plugin.services import sync as sync_service

    resource = world.resource("ECS change during sync")
    [(pk, ns, bucket)] = make_synced_allocations(resource, 1, quota_tb="4")
    records.record_quota(Allocation.objects.get(pk=pk), 4.0)
    provision_on_sim(world.sim, [(pk, ns, bucket)], quota_gb=2048, bucket_quota=True)
    read_done, on_ecs, sync_written = threading.Event(), threading.Event(), threading.Event()
    read_endpoint, apply_endpoint, apply_quota = (
        sync_service.read_endpoint,
        sync_service._apply_endpoint,
        quota.apply_quota,
    )

    def read_then_wait(*args, **kwargs):
        reading = read_endpoint(*args, **kwargs)
        read_done.set()
        assert on_ecs.wait(10)
        return reading

    def apply_and_tell(*args, **kwargs):
        try:
            return apply_endpoint(*args, **kwargs)
        finally:
            sync_written.set()

    def apply_then_wait(*args, **kwargs):
        change = apply_quota(*args, **kwargs)
        on_ecs.set()
        assert sync_written.wait(10)
        return change

    monkeypatch.setattr(sync_service, "read_endpoint", read_then_wait)
    monkeypatch.setattr(sync_service, "_apply_endpoint", apply_and_tell)
    monkeypatch.setattr(quota, "apply_quota", apply_then_wait)
    result: dict = {}

    def sync():
        result["report"], result["status"] = sync_json()

    def change():
        assert read_done.wait(10)
        quota.change_quota(pk, 4.0)

    errors = run_in_threads(sync, change)

    assert errors == []
    report, status = result["report"], result["status"]
    assert status == 0 and report["failed"] == 0, report
    [resource_report] = [r for r in report["resources"] if r["resource_id"] == resource.pk]
    assert any(f"allocation {pk} " in n and "left for the next run" in n for n in resource_report["notes"])
    assert _quota_gb(world, ns, bucket) == (4096, 4096)
    assert values(pk)[attributes.QUOTA_TB][0] == "4", "the sync wrote its older reading over the change"
    assert values(pk)[attributes.QUOTA_BYTES][0] == str(4 * 2**40)
    assert ECSBinding.objects.get(allocation_id=pk).quota_lease is None

    monkeypatch.undo()
    report, status = sync_json()  # the next run reads 4 TB and agrees: only the usages are written
    assert status == 0 and report["failed"] == 0, report
    [resource_report] = [r for r in report["resources"] if r["resource_id"] == resource.pk]
    written = {c["name"] for c in resource_report["changes"] if c["target"] == "allocation"}
    assert written and not written & {attributes.QUOTA_TB, attributes.QUOTA_BYTES}, written
    assert values(pk)[attributes.QUOTA_TB][0] == "4"


@pytest.mark.django_db(transaction=True)
def test_sqlite_refusing_a_claim_at_once_is_retried_until_the_write_lock_is_free(reseed, world, monkeypatch):
    """SQLite refuses at once (no busy timeout) a transaction that read before it writes while another
    connection holds the write lock, as a claim does: ``retry_while_locked`` tries again until it is free."""
    import sqlite3

    from django.db import connection

    from coldfront_ecs_plugin.services import bindings

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's immediate refusal; PostgreSQL and MariaDB wait on the row lock")
    allocation = world.allocation("Refused Lab", quota_tb="1")
    resource = world.resource("ECS refused")
    attempts: list[int] = []
    claim = bindings._claim

    def counted(*args, **kwargs):
        attempts.append(1)
        return claim(*args, **kwargs)

    monkeypatch.setattr(bindings, "_claim", counted)
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        binding, resumed = bindings.claim(
            allocation.pk,
            resource=resource,
            endpoint=f"https://{world.sim.host_port}",
            cluster_id="",
            namespace="refused-lab",
            bucket="refused-lab-bucket",
            stale_after=60,
        )
    finally:
        release.join()
        other.close()
    assert len(attempts) >= 2, "the claim was not refused: the branch under test did not run"
    assert binding.state == "provisioning" and not resumed
