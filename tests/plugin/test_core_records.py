"""The records service on ColdFront's real models: get-or-update, never duplicate, write (and add a
history row) only when a value changes, and name a missing attribute type with what to run."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes
from coldfront_ecs_plugin.services import records
from harness.sync import attribute_type, ensure_types, make_allocations, make_resource

pytestmark = pytest.mark.django_db
TB = attributes.QUOTA_TB


@pytest.fixture
def allocation():
    from coldfront.core.allocation.models import Allocation

    ensure_types()
    [made] = make_allocations(make_resource("ECS records", "ecs.example.org:4443"), 1, quota_tb="10")
    return Allocation.objects.get(pk=made.pk)


def tb_rows(allocation):
    from coldfront.core.allocation.models import AllocationAttribute

    return AllocationAttribute.objects.filter(allocation=allocation, allocation_attribute_type__name=TB)


def test_an_equal_number_in_another_spelling_is_not_written(allocation):
    history = tb_rows(allocation).get().history.count()
    assert records.set_float_value(allocation, TB, 10.0) is False  # "10" already says it
    assert records.set_float_value(allocation, TB, 10.0000000001) is False  # float noise
    assert tb_rows(allocation).get().history.count() == history
    assert records.set_float_value(allocation, TB, 10.5) is True
    assert records.get_value(allocation, TB) == "10.5"
    assert tb_rows(allocation).get().history.count() == history + 1


def test_duplicate_rows_are_removed_and_the_first_kept(allocation):
    from coldfront.core.allocation.models import AllocationAttribute

    first = tb_rows(allocation).get()
    AllocationAttribute.objects.create(allocation=allocation, allocation_attribute_type=attribute_type(TB), value="3")
    assert records.set_value(allocation, TB, "10") is True  # same value, but a duplicate went
    assert list(tb_rows(allocation).values_list("pk", "value")) == [(first.pk, "10")]
    assert records.set_value(allocation, TB, "10") is False


def test_a_missing_attribute_type_names_what_to_run(allocation):
    from coldfront.core.allocation.models import AllocationAttributeType

    AllocationAttributeType.objects.filter(name=attributes.ECS_STATUS).delete()
    with pytest.raises(records.MissingAttributeTypes, match=r"'ECS Status' does not exist; run 'manage.py ecs_setup'"):
        records.set_value(allocation, attributes.ECS_STATUS, "active")
    with pytest.raises(records.MissingAttributeTypes, match=r"type\(s\) ECS Status do not exist"):
        records.require_allocation_types([TB, attributes.ECS_STATUS])
    records.require_allocation_types([TB])  # present: no error


def test_resource_values_are_written_once_and_a_missing_type_is_named(allocation):
    from coldfront.core.resource.models import ResourceAttributeType

    resource = allocation.resources.get()
    assert records.set_resource_value(resource, attributes.CAPACITY_TB, "20") is True
    assert records.set_resource_value(resource, attributes.CAPACITY_TB, "20") is False
    assert records.resource_value(resource, attributes.CAPACITY_TB) == "20"
    ResourceAttributeType.objects.filter(name=attributes.USED_TB).delete()
    with pytest.raises(records.MissingAttributeTypes, match=r"resource attribute type 'used_tb' does not exist"):
        records.set_resource_value(resource, attributes.USED_TB, "5")


def test_who_records_a_name(allocation):
    [other] = make_allocations(make_resource("ECS other", "ecs.example.org:4443"), 1)
    ns = records.get_value(allocation, attributes.NAMESPACE)
    records.set_value(allocation.__class__.objects.get(pk=other.pk), attributes.NAMESPACE, ns)
    assert records.other_allocations_recording(attributes.NAMESPACE, ns, None) == sorted([allocation.pk, other.pk])
    assert records.other_allocations_recording(attributes.NAMESPACE, ns, allocation.pk) == [other.pk]
    assert records.allocations_recording_namespace(ns) == sorted([allocation.pk, other.pk])
    assert records.allocations_recording_namespace(ns, allocation.resources.get()) == [allocation.pk]
