"""``ecs_reconcile``: each kind of drift planted on the simulator and in ColdFront, exit statuses, safe --apply."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import ECSBinding
from coldfront_ecs_plugin.report_models import ECSReport
from harness.sync import ecs_client, ensure_types, make_allocations, make_resource, provision_on_sim
from harness.world import set_attr

GIB = 2**30


def run(*args: str) -> tuple[dict, int]:
    out = io.StringIO()
    try:
        call_command("ecs_reconcile", "--json", *args, stdout=out)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return json.loads(out.getvalue()), status


@pytest.fixture
def resource(db, sim):
    ensure_types()
    return make_resource("ECS reconcile cluster", sim.host_port)


def test_clean_world_exits_0_and_is_stored(resource, sim):
    allocs = make_allocations(resource, 2, quota_tb="2")
    provision_on_sim(sim, allocs, quota_gb=2048, bucket_quota=True)
    report, status = run()
    assert status == 0, report
    assert report["drift"] == [] and report["errors"] == []
    assert ECSReport.objects.filter(kind="reconcile", ok=True).count() == 1


def test_each_kind_is_found(resource, sim):
    from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

    ok, no_ns, no_bucket, mismatch, stuck = make_allocations(resource, 5, quota_tb="2")
    provision_on_sim(sim, [ok, no_bucket, mismatch, stuck], quota_gb=2048, bucket_quota=True)
    sim.set_usage(no_bucket.namespace, no_bucket.bucket, 0, 0)  # ECS deletes empty buckets only
    with ecs_client(sim) as client:
        client.delete_bucket(no_bucket.namespace, no_bucket.bucket)
        client.set_bucket_quota(mismatch.namespace, mismatch.bucket, 1024, 900)
        client.create_namespace("stray-lab", replication_group_id=client.replication_group_id("rg1"))
    ECSBinding.objects.filter(allocation_id=stuck.pk).update(state="failed", last_error="ECS said no")
    Allocation.objects.filter(pk=stuck.pk).update(status=AllocationStatusChoice.objects.get(name="Denied"))

    report, status = run()

    assert status == 1
    found = sorted((d["kind"], d["allocation_id"], d["namespace"]) for d in report["drift"])
    assert found == sorted(
        [
            ("missing_namespace", no_ns.pk, no_ns.namespace),
            ("missing_bucket", no_bucket.pk, no_bucket.namespace),
            ("quota_mismatch", mismatch.pk, mismatch.namespace),
            ("orphan_namespace", None, "stray-lab"),
            ("stuck", stuck.pk, stuck.namespace),
        ]
    )
    [quota] = [d for d in report["drift"] if d["kind"] == "quota_mismatch"]
    assert quota["detail"] == "ColdFront 2.00 TB, namespace 2.00 TB, bucket 1.00 TB"
    assert report["counts"]["orphan_namespace"] == 1


def test_apply_fixes_only_what_is_safe(resource, sim):
    grow, below_usage = make_allocations(resource, 2, quota_tb="2")
    provision_on_sim(sim, [grow, below_usage], quota_gb=2048, bucket_quota=True, usage_bytes=1536 * GIB)
    with ecs_client(sim) as client:
        client.set_bucket_quota(grow.namespace, grow.bucket, 1024, 900)
        client.create_namespace("stray-lab", replication_group_id=client.replication_group_id("rg1"))
    from coldfront.core.allocation.models import Allocation

    set_attr(Allocation.objects.get(pk=below_usage.pk), attributes.QUOTA_TB, "1")  # 1 TB < 1.5 TB used

    report, status = run("--apply")

    assert status == 1  # the orphan and the refused shrink remain
    by_kind = {(d["kind"], d["allocation_id"]): d for d in report["drift"]}
    assert by_kind[("quota_mismatch", grow.pk)]["fixed"] is True
    refused = by_kind[("quota_mismatch", below_usage.pk)]
    assert refused["fixed"] is False and "refusing to shrink" in refused["fix_error"]
    assert by_kind[("orphan_namespace", None)]["fixed"] is False
    with ecs_client(sim) as client:
        assert client.get_bucket_quota(grow.namespace, grow.bucket).block_size_gb == 2048
        assert client.get_namespace_quota(below_usage.namespace).block_size_gb == 2048  # untouched
        assert client.namespace_exists("stray-lab")  # never deleted, never adopted
    assert not ECSBinding.objects.filter(namespace="stray-lab").exists()
    again, status = run()
    assert [d["kind"] for d in again["drift"] if d["allocation_id"] == grow.pk] == []


def test_unreachable_endpoint_exits_2(db, sim):
    ensure_types()
    resource = make_resource("ECS unreachable", "127.0.0.1:9")
    make_allocations(resource, 1)
    report, status = run("--resource", "ECS unreachable")
    assert status == 2 and report["errors"]
    _report, status = run("--resource", "no such resource")
    assert status == 2


def test_text_output_lists_kinds(resource, sim):
    [alloc] = make_allocations(resource, 1, quota_tb="2")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ecs_reconcile", stdout=out)
    assert exited.value.code == 1
    assert f"missing_namespace: ECS reconcile cluster: allocation {alloc.pk} {alloc.namespace}/" in out.getvalue()


def test_staff_page_shows_the_last_report(resource, sim, client, settings):
    from django.contrib.auth.models import User

    settings.ROOT_URLCONF = "harness.ecs_urls"
    make_allocations(resource, 1, quota_tb="2")
    run()
    client.force_login(
        User.objects.create_user("driftstaff", is_staff=True), backend="django.contrib.auth.backends.ModelBackend"
    )
    html = client.get("/ecs/").content.decode()
    assert "1 missing_namespace" in html
    assert '<td class="ecs-drift">missing_namespace</td>' in html
