"""Namespace and bucket names: derivation, validation, collisions (issue 3, section 4)."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin import attributes, naming
from harness.endpoints import NS_CREATE


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Smith Lab", "smith-lab"),
        ("Jönsson_lab", "jonsson-lab"),
        ("Ærø  --  Lab!!", "r-lab"),
        ("Café Müller", "cafe-muller"),
        ("--Edge--", "edge"),
        ("\uff21\uff22\uff23 Lab", "abc-lab"),  # full-width letters fold to ASCII under NFKD
    ],
)
def test_slug_of_title(title, expected):
    assert naming.namespace_from_title(title) == expected


@pytest.mark.parametrize("title", ["研究室", "🧪🔬", "!!!", "", "   "])
def test_titles_with_nothing_transliterable_are_refused(title):
    with pytest.raises(naming.NamingError, match="set the allocation's Namespace attribute"):
        naming.namespace_from_title(title)


def test_truncation_never_leaves_a_trailing_hyphen():
    title = "a" * 62 + "_b"
    slug = naming.namespace_from_title(title)
    assert slug == "a" * 62
    assert len(naming.namespace_from_title("x" * 200)) == 63


def test_long_namespace_keeps_bucket_suffix():
    namespace = "a" * 50 + "-" + "b" * 12
    bucket = naming.bucket_for_namespace(namespace)
    assert bucket.startswith("lab-") and bucket.endswith("-bucket")
    assert len(bucket) <= 63
    assert "--" not in bucket  # the cut fell on the hyphen, which was stripped
    naming.validate_bucket(bucket)


@pytest.mark.parametrize("name", ["Upper", "has_underscore", "-lead", "trail-", "x" * 64, "dot.ted"])
def test_invalid_namespace_overrides_are_refused(name):
    with pytest.raises(naming.NamingError):
        naming.resolve_names("Title", name, None)


@pytest.mark.parametrize("name", ["ab", "Bad", "a..b", "-x-", "192.168.1.1", "b" * 64, "under_score"])
def test_invalid_bucket_overrides_are_refused(name):
    with pytest.raises(naming.NamingError, match="Bucket attribute"):
        naming.resolve_names("Title", None, name)


def test_overrides_win_over_derivation():
    names = naming.resolve_names("Smith Lab", "custom-ns", "custom.bucket")
    assert (names.namespace, names.bucket) == ("custom-ns", "custom.bucket")
    assert names.namespace_from_attribute and names.bucket_from_attribute


def test_slug_collision_with_another_allocation_is_refused_before_ecs(world):
    first = world.allocation("smith_lab")
    world.approve(first)
    assert world.attr(first, attributes.NAMESPACE) == "smith-lab"
    before = world.sim.stats()["by_endpoint"].get(NS_CREATE)

    second = world.allocation("Smith Lab")
    world.approve(second)

    assert second.status.name == "New"
    assert f"allocation(s) {first.pk}" in world.notes(second)[0]
    assert world.sim.stats()["by_endpoint"].get(NS_CREATE) == before
    assert world.namespaces() == ["smith-lab"]


def test_namespace_override_recorded_by_another_allocation_is_refused(world):
    first = world.allocation("First Lab", namespace="shared-ns")
    world.approve(first)
    second = world.allocation("Second Lab", namespace="shared-ns")
    world.approve(second)
    assert second.status.name == "New"
    assert "already recorded" in world.notes(second)[0]


def test_cjk_title_refused_then_namespace_attribute_works(world):
    allocation = world.allocation("量子研究室")
    world.approve(allocation)
    assert allocation.status.name == "New"
    assert "Namespace attribute" in world.notes(allocation)[0]
    world.set_attr(allocation, attributes.NAMESPACE, "quantum-lab")
    world.approve(allocation)
    assert allocation.status.name == "Active"
    assert world.buckets() == {"quantum-lab": ["lab-quantum-lab-bucket"]}


def test_invalid_override_attribute_refused_in_approval(world):
    allocation = world.allocation("Override Lab", bucket="Not_Valid")
    world.approve(allocation)
    assert allocation.status.name == "New"
    assert "Bucket attribute" in world.notes(allocation)[0]
    assert world.namespaces() == []
