"""What ``ECS Status`` says for each binding state, and what happens to it when the allocation or the
attribute type is gone: a short text with what to do first, never an exception."""

from __future__ import annotations

import logging

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.models import BindingState, ECSBinding
from coldfront_ecs_plugin.services import bindings


def bound(world, title: str, state: str = BindingState.ACTIVE, **fields):
    allocation = world.allocation(title, status="Active")
    binding = ECSBinding.objects.create(
        allocation=allocation,
        resource=allocation.resources.get(),
        endpoint=f"https://{world.sim.host_port}",
        namespace=title.lower().replace(" ", "-"),
        bucket="b",
        state=state,
        **fields,
    )
    return allocation, binding


def test_status_texts_fit_the_attribute_and_keep_what_to_do_first(world):
    assert bindings.status_text(None) == (
        "unlinked: not linked to ECS storage; an admin can link it with manage.py ecs_link"
    )
    _a, failed = bound(world, "Failed Lab", BindingState.FAILED, last_error="ECS said no " * 40)
    text = bindings.status_text(failed)
    assert len(text) == bindings.STATUS_LIMIT and text.endswith("…")
    assert text.startswith("failed (fix, then approve again; see notes): ECS said no")
    _a, unlinked = bound(world, "Gone Lab", BindingState.UNLINKED, last_error="namespace taken back")
    assert bindings.status_text(unlinked) == "unlinked: namespace taken back"


def test_an_abandoned_older_binding_is_kept_as_failed_with_its_steps(world):
    allocation, binding = bound(world, "Old Lab", BindingState.PROVISIONING, steps=[{"step": "namespace_created"}])
    bindings.abandon(binding, "login refused", created=False)
    binding.refresh_from_db()
    assert (binding.state, binding.last_error, binding.steps) == (
        BindingState.FAILED,
        "login refused",
        [{"step": "namespace_created"}],
    )
    assert world.attr(allocation, attributes.ECS_STATUS) == "failed (fix, then approve again; see notes): login refused"


def test_mirroring_without_the_attribute_type_or_the_allocation_is_harmless(world, caplog):
    from coldfront.core.allocation.models import AllocationAttributeType

    allocation, binding = bound(world, "Typeless Lab")
    AllocationAttributeType.objects.filter(name=attributes.ECS_STATUS).delete()
    with caplog.at_level(logging.WARNING):
        bindings.mirror_status(binding)
    assert f"allocation attribute type {attributes.ECS_STATUS!r} missing; run manage.py ecs_setup" in caplog.text
    binding.allocation_id = 999999  # its allocation deleted meanwhile
    bindings.mirror_status(binding)
    assert world.attr(allocation, attributes.ECS_STATUS) is None
