"""The client's parsers read the real ECS CE 3.8 captures to the values their manifests state."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coldfront_ecs_plugin.ecs import UNLIMITED, parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ecs-ce-live"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"ECS CE live fixtures not found at {FIXTURES}")


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    if not FIXTURES.is_dir():
        return []
    cases = []
    for manifest in sorted(FIXTURES.glob("*/manifest.json")):
        for entry in json.loads(manifest.read_text())["fixtures"]:
            cases.append((manifest.parent.name, entry["file"], entry["expected"]))
    return cases


def _check(file: str, data: dict, expected: dict[str, Any]) -> set[str]:
    """Assert every expected value; return the keys checked so unknown expectations fail the test."""
    checked: set[str] = set()

    def eq(key: str, actual: Any) -> None:
        if key in expected:
            assert actual == expected[key], f"{file}: {key} = {actual!r}, expected {expected[key]!r}"
            checked.add(key)

    if "quota" in file:
        quota = parse.parse_quota(data)
        eq("hard_quota_gb", quota.block_size_gb)
        eq("soft_quota_gb", quota.notification_size_gb)
        eq("hard_quota_configured", quota.block_size_gb != UNLIMITED)
        eq("soft_quota_configured", quota.notification_size_gb != UNLIMITED)
        if "unset" in file:
            assert quota.unlimited
    elif file == "bucket-billing-info.json":
        usage = parse.parse_bucket_usage(data)
        eq("total_size_kb", float(Decimal(str(data["total_size"]))))
        eq("used_bytes", usage.size_bytes)
        eq("total_objects", usage.objects)
    elif file == "bucket-billing-batch.json":
        usages = parse.parse_bucket_usages(data)
        eq("response_envelope", next(iter(data)))
        eq("bucket_count", len(usages))
        eq("used_bytes_total", sum(u.size_bytes for u in usages.values()))
        eq("total_objects", sum(u.objects for u in usages.values()))
        # the request side: the client's bulk body is {"id": [...]}, asserted against the simulator
        eq("request_field", "id")
        assert all(u.namespace == "redacted-namespace" for u in usages.values())
    elif file == "namespace-billing-info.json":
        page = parse.parse_namespace_billing(data)
        eq("total_size_kb", float(Decimal(str(data["total_size"]))))
        eq("used_bytes", page.usage.size_bytes)
        eq("total_objects", page.usage.objects)
        assert page.next_marker is None
    elif file == "nodes.json":
        versions = parse.parse_node_versions(data)
        eq("version", versions[0])
        if "profile_id" in expected:
            assert versions[0].startswith(expected["profile_id"].removeprefix("ecs-"))
            checked.add("profile_id")
    elif file.startswith("replication-group"):
        health = parse.parse_dashboard_replication_group(data)
        eq("pending_bytes", health.pending_bytes)
        eq("status_present", health.status is not None)
        eq("rpo_present", health.rpo is not None)
        assert health.id.startswith("urn:storageos:ReplicationGroupInfo:")
    return checked


@pytest.mark.parametrize(("build", "file", "expected"), _cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_fixture_parses_to_manifest_values(build: str, file: str, expected: dict[str, Any]) -> None:
    data = json.loads((FIXTURES / build / file).read_text())
    checked = _check(file, data, expected)
    assert checked == set(expected), f"{build}/{file}: no check for {set(expected) - checked}"


def test_every_fixture_file_is_in_a_manifest() -> None:
    listed = {(build, file) for build, file, _ in _cases()}
    on_disk = {(p.parent.name, p.name) for p in FIXTURES.glob("*/*.json") if p.name != "manifest.json"}
    assert on_disk == listed


def test_kb_is_1024_bytes_and_rounds_to_int() -> None:
    assert parse.size_to_bytes("6835.9375", "KB") == 7_000_000
    assert parse.size_to_bytes(9765.625, "KB") == 10_000_000
    assert parse.size_to_bytes("1", "MB") == 2**20
    assert parse.size_to_bytes("0.5", "B") == 0
    assert isinstance(parse.size_to_bytes("0.75", "KB"), int)
