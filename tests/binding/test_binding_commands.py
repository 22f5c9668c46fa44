"""``ecs_provision`` and ``ecs_link`` as an admin runs them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState, ECSBinding


def _run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as exc:
        return out.getvalue() + str(exc), exc.returncode
    return out.getvalue(), 0


def test_ecs_provision_provisions_and_reports_each_allocation(world):
    good = world.allocation("Command Lab", quota_tb="1", status="Active")
    bad = world.allocation("Refused Lab", status="Active", resource=world.resource(replication_group=None))
    out, code = _run("ecs_provision", str(good.pk), str(bad.pk))
    assert code == 1
    assert f"allocation {good.pk}: command-lab/lab-command-lab-bucket active" in out
    assert f"allocation {bad.pk}: FAILED" in out and "replication_group" in out
    assert ECSBinding.objects.get(allocation_id=good.pk).state == BindingState.ACTIVE


def test_ecs_link_binds_existing_storage_and_refuses_what_is_missing_or_held(world):
    allocation = world.allocation("Link Lab", quota_tb="1", status="Active")
    with world.ecs_client() as client:
        client.create_namespace("existing", replication_group_id=client.replication_group_id("rg1"))
        client.create_bucket("existing", "lab-existing-bucket")

    out, code = _run("ecs_link", str(allocation.pk), "--namespace", "missing")
    assert code != 0 and "does not exist on ECS" in out
    out, code = _run("ecs_link", str(allocation.pk), "--namespace", "existing", "--dry-run")
    assert code == 0 and "would link" in out and not ECSBinding.objects.exists()
    out, code = _run("ecs_link", str(allocation.pk), "--namespace", "existing")
    assert code == 0 and "linked existing/lab-existing-bucket" in out
    assert world.attr(allocation, attributes.NAMESPACE) == "existing"
    assert world.attr(allocation, attributes.ECS_STATUS) == "active"

    other = world.allocation("Other Lab", status="Active", resource=allocation.resources.get())
    out, code = _run("ecs_link", str(other.pk), "--namespace", "existing")
    assert code != 0 and f"already held by allocation {allocation.pk}" in out
    out, code = _run("ecs_link", str(allocation.pk), "--namespace", "existing")
    assert code != 0 and "already bound" in out


@pytest.mark.parametrize("args", [(), ("1",), ("1", "--all")])
def test_ecs_link_refuses_ambiguous_arguments(world, args):
    _out, code = _run("ecs_link", *args)
    assert code != 0


def test_quota_edit_before_provisioning_is_kept_for_the_approval(world):
    allocation = world.allocation("Early Lab", quota_tb="1")  # New: nothing on ECS yet
    world.edit_attribute(allocation, attributes.QUOTA_TB, "3")
    assert world.attr(allocation, attributes.QUOTA_TB) == "3"
    assert world.notes(allocation) == []
    world.approve(allocation)
    with world.ecs_client() as client:
        assert client.get_namespace_quota("early-lab").block_size_gb == 3072


def test_ecs_link_refusals_name_their_reason(world):
    plain = world.allocation("Plain Lab", status="Active", resource=world.resource("Compute cluster"))
    bad_url = world.allocation("Bad Url Lab", status="Active", resource=world.resource(url="ftp://ecs.example.org"))
    good = world.allocation("Good Lab", status="Active")
    cases = [
        (("999999", "--namespace", "x"), "allocation 999999 does not exist"),
        ((str(plain.pk), "--namespace", "x"), f"allocation {plain.pk} is not on an ECS resource"),
        ((str(bad_url.pk), "--namespace", "x"), "scheme 'ftp' is not supported"),
        ((str(good.pk), "--namespace", "Not_A_Namespace!"), "Not_A_Namespace!"),
        ((str(good.pk),), "--namespace is required with ALLOCATION_ID"),
    ]
    for args, reason in cases:
        out, code = _run("ecs_link", *args)
        assert code != 0 and reason in out, (args, out)
    assert not ECSBinding.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("GET /object/vdcs/vdc/local", "could not identify the ECS cluster"),
        ("GET /object/namespaces/namespace/{namespace}", "could not check existing/lab-existing-bucket on ECS"),
    ],
    ids=["cluster", "namespace"],
)
def test_ecs_link_refuses_when_ecs_cannot_be_read(world, endpoint, reason):
    allocation = world.allocation("Unread Lab", status="Active")
    with world.ecs_client() as client:
        client.create_namespace("existing", replication_group_id=client.replication_group_id("rg1"))
        client.create_bucket("existing", "lab-existing-bucket")
    world.sim.faults(endpoints={endpoint: 1.0}, kinds=["500"])
    try:
        out, code = _run("ecs_link", str(allocation.pk), "--namespace", "existing")
    finally:
        world.sim.faults()
    assert code != 0 and reason in out and "HTTP 500" in out
    assert not ECSBinding.objects.exists()


def test_ecs_link_all_skips_allocations_that_map_to_one_namespace(world):
    resource = world.resource()
    twins = [world.allocation(f"Twin Lab {i}", status="Active", namespace="twins", resource=resource) for i in (1, 2)]
    single = world.allocation("Single Lab", status="Active", namespace="single", resource=resource)
    with world.ecs_client() as client:
        rg = client.replication_group_id("rg1")
        for ns in ("twins", "single"):
            client.create_namespace(ns, replication_group_id=rg)
            client.create_bucket(ns, f"lab-{ns}-bucket")

    out, code = _run("ecs_link", "--all")

    assert code == 0
    for twin in twins:
        assert f"{twin.pk}" in out and "2 unlinked allocations map to this namespace" in out
    assert "1 of 3 unlinked allocation(s) linked" in out
    assert list(ECSBinding.objects.values_list("allocation_id", "namespace")) == [(single.pk, "single")]
