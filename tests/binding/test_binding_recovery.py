"""Interrupted, hung and queued provisioning; the upgrade path (migration, ecs_link); taking a namespace back."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState, ECSBinding


def _age(binding: ECSBinding, seconds: float = 3600) -> None:
    ECSBinding.objects.filter(pk=binding.pk).update(updated=timezone.now() - datetime.timedelta(seconds=seconds))


def _interrupted(world, title: str, status: str):
    """An allocation whose provisioning died after creating its namespace (as a killed worker leaves it)."""
    allocation = world.allocation(title, quota_tb="1", status=status)
    namespace = title.lower().replace(" ", "-")
    with world.ecs_client() as client:
        client.create_namespace(namespace, replication_group_id=client.replication_group_id("rg1"))
    binding = ECSBinding.objects.create(
        allocation_id=allocation.pk,
        resource=allocation.resources.get(),
        endpoint=f"https://{world.sim.host_port}",
        cluster_id=world.state()["vdc"]["id"],
        namespace=namespace,
        bucket=f"lab-{namespace}-bucket",
        state=BindingState.PROVISIONING,
        steps=[{"step": "namespace_created"}],
    )
    binding.refresh_live_key()
    binding.save()
    _age(binding)
    return allocation, binding


def test_sync_resumes_an_interrupted_provisioning_of_an_active_allocation(world):
    from harness.sync import sync_json

    allocation, binding = _interrupted(world, "Resume Lab", "Active")
    report, _code = sync_json()
    binding.refresh_from_db()
    assert binding.state == BindingState.ACTIVE, binding.last_error
    assert world.buckets() == {"resume-lab": ["lab-resume-lab-bucket"]}
    assert world.attr(allocation, attributes.NAMESPACE) == "resume-lab"
    assert any("resumed" in n for n in report["notes"])


def test_sync_rolls_back_an_interrupted_provisioning_of_a_reverted_allocation(world):
    from harness.sync import sync_json

    _allocation, binding = _interrupted(world, "Rollback Lab", "New")
    sync_json()
    binding.refresh_from_db()
    assert binding.state == BindingState.FAILED
    assert binding.steps == []
    assert world.namespaces() == []


def test_a_running_provisioning_is_not_started_twice(world, settings):
    from coldfront_ecs_plugin.services import provisioning

    settings.ECS_PROVISION_DEADLINE = 1  # a second run waits this long for the first, then refuses

    allocation, binding = _interrupted(world, "Busy Lab", "Active")
    _age(binding, -60)  # progress "now", dated ahead so the run stays live however slow this machine is
    try:
        provisioning.provision(allocation.pk)
    except provisioning.ProvisioningError as exc:
        assert "already running" in str(exc)
    else:
        raise AssertionError("a second run must be refused while the first is alive")


def test_hung_ecs_fails_within_the_deadline_and_says_so(world, settings):
    settings.ECS_PROVISION_DEADLINE = 2
    settings.ECS_REQUEST_TIMEOUT = 30
    allocation = world.allocation("Hung Lab", quota_tb="1")
    world.sim.faults(endpoints={"POST /object/namespaces/namespace": 1.0}, kinds=["slow"], slow_ms=20000)
    world.approve(allocation)

    allocation.refresh_from_db()
    assert allocation.status.name == "New"
    binding = ECSBinding.objects.get(allocation_id=allocation.pk)
    assert binding.state == BindingState.FAILED
    assert "ECS_PROVISION_DEADLINE" in binding.last_error
    assert world.attr(allocation, attributes.ECS_STATUS).startswith("failed (fix, then approve again; see notes): ")
    assert any("provisioning failed" in n for n in world.notes(allocation))


def test_queued_provisioning_claims_at_approval_and_provisions_in_the_task(world, settings):
    settings.ECS_PROVISION_ASYNC = True  # the test settings run django-q tasks inline (sync=True)
    allocation = world.allocation("Queued Lab", quota_tb="1")
    world.approve(allocation)
    binding = ECSBinding.objects.get(allocation_id=allocation.pk)
    assert binding.state == BindingState.ACTIVE
    assert world.namespaces() == ["queued-lab"]


def test_migration_binds_allocations_provisioned_before_bindings(world):
    from harness.sync import bind_recorded, make_allocations, make_resource, provision_on_sim

    resource = make_resource("ECS legacy", world.sim.host_port)
    allocs = make_allocations(resource, 2)
    ECSBinding.objects.filter(allocation_id__in=[a.pk for a in allocs]).delete()
    assert sorted(bind_recorded()) == sorted(a.pk for a in allocs)
    provision_on_sim(world.sim, allocs)
    for alloc in allocs:
        binding = ECSBinding.objects.get(allocation_id=alloc.pk)
        assert (binding.namespace, binding.bucket, binding.state) == (alloc.namespace, alloc.bucket, "active")
    assert bind_recorded() == []  # re-running binds nothing twice


def test_link_all_adopts_reference_named_storage_and_nothing_else(world):
    from harness.sync import make_allocations, make_resource

    resource = make_resource("ECS reference", world.sim.host_port)
    found, missing = make_allocations(resource, 2, names=False)
    from coldfront.core.allocation.models import Allocation

    title = Allocation.objects.get(pk=found.pk).project.title  # "Lab N" -> reference name "lab-n"
    namespace = title.lower().replace(" ", "-")
    with world.ecs_client() as client:
        client.create_namespace(namespace, replication_group_id=client.replication_group_id("rg1"))
        client.create_bucket(namespace, f"lab-{namespace}-bucket")
    before = world.sim.stats()["by_endpoint"]

    out = io.StringIO()
    call_command("ecs_link", "--all", "--dry-run", stdout=out)
    assert "would link" in out.getvalue() and not ECSBinding.objects.exists()
    call_command("ecs_link", "--all", stdout=out)
    binding = ECSBinding.objects.get(allocation_id=found.pk)
    assert (binding.namespace, binding.state) == (namespace, "active")
    assert not ECSBinding.objects.filter(allocation_id=missing.pk).exists()
    writes = {
        k: v for k, v in world.sim.stats()["by_endpoint"].items() if not k.startswith("GET") and v != before.get(k)
    }
    assert writes == {}


def test_a_project_takes_back_the_namespace_of_its_revoked_allocation(world):
    old = world.allocation("Return Lab", quota_tb="1")
    world.approve(old)
    world.set_status(old, "Revoked")
    new = world.allocation(project=old.project, quota_tb="1", namespace="return-lab", resource=old.resources.get())
    world.approve(new)

    assert new.status.name == "Active", world.notes(new)
    assert ECSBinding.objects.get(allocation_id=new.pk).state == BindingState.ACTIVE
    assert ECSBinding.objects.get(allocation_id=old.pk).state == BindingState.UNLINKED
    assert any("takes back" in n for n in world.notes(new))
    assert any("handed to allocation" in n for n in world.notes(old))
