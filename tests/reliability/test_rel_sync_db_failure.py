"""ecs_sync when the database refuses a write (issue 10): a real error from the database (a trigger
refuses the update), not a patched function. That resource's transaction is rolled back whole,
the failure is reported with the database's reason, the other resources are written, and the next
run converges. The matrix runs this on SQLite, PostgreSQL and MariaDB; it is transactional because
MariaDB commits on CREATE TRIGGER."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

from coldfront_ecs_plugin import attributes
from harness.sync import (
    GIB,
    history_rows,
    make_allocations,
    make_resource,
    provision_on_sim,
    resource_values,
    sync_json,
    values,
)

TB, BYTES = attributes.QUOTA_TB, attributes.QUOTA_BYTES
REFUSAL = "write refused by the test trigger"
TABLE = "allocation_allocationattribute"


def _trigger_sql(vendor: str, allocation_ids: list[int]) -> tuple[list[str], list[str]]:
    """(create, drop) statements of a trigger that refuses updates of these allocations' attribute rows."""
    ids = ", ".join(str(int(pk)) for pk in allocation_ids)
    if vendor == "sqlite":
        return (
            [
                f"CREATE TRIGGER ecs_test_refuse BEFORE UPDATE ON {TABLE} WHEN OLD.allocation_id IN ({ids}) "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            ],
            ["DROP TRIGGER IF EXISTS ecs_test_refuse"],
        )
    if vendor == "postgresql":
        return (
            [
                "CREATE FUNCTION ecs_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
                f"CREATE TRIGGER ecs_test_refuse BEFORE UPDATE ON {TABLE} FOR EACH ROW "
                f"WHEN (OLD.allocation_id IN ({ids})) EXECUTE FUNCTION ecs_test_refuse()",
            ],
            [f"DROP TRIGGER IF EXISTS ecs_test_refuse ON {TABLE}", "DROP FUNCTION IF EXISTS ecs_test_refuse()"],
        )
    if vendor == "mysql":
        return (
            [
                f"CREATE TRIGGER ecs_test_refuse BEFORE UPDATE ON {TABLE} FOR EACH ROW BEGIN "
                f"IF OLD.allocation_id IN ({ids}) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{REFUSAL}'; "
                "END IF; END"
            ],
            ["DROP TRIGGER IF EXISTS ecs_test_refuse"],
        )
    raise NotImplementedError(vendor)


@contextmanager
def database_refusing_updates_of(allocation_ids: list[int]):
    from django.db import connection

    create, drop = _trigger_sql(connection.vendor, allocation_ids)
    with connection.cursor() as cursor:
        for statement in create:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in drop:
                cursor.execute(statement)


def refused_run(world):
    """Two resources on one endpoint (ColdFront says 1 TB, ECS 2 TB); the database refuses updates of the
    first one's attribute rows during one ecs_sync. What the run said, and what there was before it."""
    sim = world.sim
    refused, fine = make_resource("ECS refused", sim.host_port), make_resource("ECS fine", sim.host_port)
    refused_allocs, fine_allocs = make_allocations(refused, 2), make_allocations(fine, 1)
    provision_on_sim(sim, refused_allocs + fine_allocs, quota_gb=2048, usage_bytes=3 * GIB)
    before = {a.pk: values(a.pk) for a in refused_allocs}
    rows = history_rows()
    with database_refusing_updates_of([a.pk for a in refused_allocs]):
        report, status = sync_json()
    return SimpleNamespace(
        report=report,
        status=status,
        refused=refused,
        refused_allocs=refused_allocs,
        fine_allocs=fine_allocs,
        before=before,
        rows=rows,
    )


def test_a_refused_database_write_rolls_that_resource_back_and_is_reported(reseed, world):
    run = refused_run(world)
    report, refused_allocs, fine_allocs, before = run.report, run.refused_allocs, run.fine_allocs, run.before

    assert run.status == 1 and not report["ok"]
    by_name = {r["name"]: r for r in report["resources"]}
    [failure] = by_name["ECS refused"]["failures"]
    assert by_name["ECS refused"]["resource_failed"]
    assert failure["reason"].startswith("writing to the database failed: ") and REFUSAL in failure["reason"]
    # the whole resource is rolled back: its usage rows (another table, same transaction) and capacity too
    assert {a.pk: values(a.pk) for a in refused_allocs} == before
    assert before[refused_allocs[0].pk][TB] == ("1", 0.0)
    assert resource_values(run.refused) == {attributes.URL: f"https://{world.sim.host_port}"}
    # the other resource on the same endpoint is written as usual
    assert by_name["ECS fine"]["failures"] == [] and by_name["ECS fine"]["updated"] == 1
    assert values(fine_allocs[0].pk)[TB] == ("2", 3 / 1024)
    assert history_rows() - run.rows == by_name["ECS fine"]["history_rows"] > 0

    report, status = sync_json()  # the database accepts writes again: the next run converges

    assert status == 0 and report["failed"] == 0
    for a in refused_allocs:
        assert values(a.pk)[TB] == ("2", 3 / 1024)
        assert values(a.pk)[BYTES][0] == str(2 * 2**40)


def test_a_rolled_back_resource_reports_nothing_written(reseed, world):
    run = refused_run(world)

    refused = next(r for r in run.report["resources"] if r["name"] == "ECS refused")
    assert (refused["updated"], refused["history_rows"], refused["changes"]) == (0, 0, [])
    assert refused["failed"] == len(run.refused_allocs)
