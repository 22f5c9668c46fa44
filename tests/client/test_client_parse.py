"""Tolerant parsing of ECS bodies: loose types, XML root wrappers, and refusing to guess."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin.ecs import ECSMalformedResponse, Quota, parse


def test_wrapped_and_flat_capacity_parse_the_same() -> None:
    flat = parse.parse_capacity({"totalProvisioned_gb": "750", "totalFree_gb": 739})
    wrapped = parse.parse_capacity({"cluster_capacity": {"totalProvisioned_gb": 750, "totalFree_gb": "739"}})
    assert flat == wrapped
    assert flat.used_gb == 11


def test_quota_wrapped_in_xml_root_and_string_numbers() -> None:
    assert parse.parse_quota({"namespace_quota_details": {"blockSize": "10", "notificationSize": "8"}}) == Quota(10, 8)
    assert parse.parse_quota({"blockSize": -1, "notificationSize": -1}).unlimited


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"blockSize": 2},
        {"blockSize": "two", "notificationSize": 1},
        {"blockSize": 1.5, "notificationSize": 1},
        {"blockSize": True, "notificationSize": 1},
    ],
)
def test_bad_quota_is_malformed(body: dict) -> None:
    with pytest.raises(ECSMalformedResponse):
        parse.parse_quota(body)


def test_billing_missing_size_is_malformed_never_zero() -> None:
    with pytest.raises(ECSMalformedResponse):
        parse.parse_bucket_usage({"namespace": "ns", "name": "b", "total_objects": 1})
    with pytest.raises(ECSMalformedResponse):
        parse.parse_bucket_usage({"namespace": "ns", "name": "b", "total_size": "", "total_objects": 1})


def test_billing_falls_back_to_total_size_in_gb() -> None:
    usage = parse.parse_bucket_usage({"namespace": "ns", "name": "b", "total_size_in_gb": "0.5", "total_objects": "2"})
    assert usage.size_bytes == 2**29
    assert usage.objects == 2


def test_billing_honours_the_unit_ecs_reports() -> None:
    usage = parse.parse_bucket_usage(
        {"namespace": "ns", "name": "b", "total_size": 1, "total_size_unit": "GB", "total_objects": 0}
    )
    assert usage.size_bytes == 2**30
    with pytest.raises(ECSMalformedResponse):
        parse.parse_bucket_usage(
            {"namespace": "ns", "name": "b", "total_size": 1, "total_size_unit": "parsecs", "total_objects": 0}
        )


@pytest.mark.parametrize(
    ("raw", "expected"), [(True, True), ("true", True), ("True", True), ("false", False), (False, False), (0, False)]
)
def test_loose_booleans(raw: object, expected: bool) -> None:
    bucket = parse.parse_bucket({"name": "b", "namespace": "ns", "fs_access_enabled": raw})
    assert bucket.filesystem_enabled is expected


def test_bucket_fields_and_snake_case_quota() -> None:
    bucket = parse.parse_bucket(
        {
            "name": "b1",
            "id": "ns1.b1",
            "vpool": "urn:storageos:ReplicationGroupInfo:x:global",
            "owner": "root",
            "created": "2015-12-14T05:13:49.263Z",
            "block_size": "5",
            "notification_size": 4,
            "is_encryption_enabled": "false",
            "fs_access_enabled": "true",
        }
    )
    assert bucket.namespace == "ns1"  # from the id when the field is absent
    assert bucket.quota == Quota(5, 4)
    assert bucket.filesystem_enabled
    assert bucket.replication_group == "urn:storageos:ReplicationGroupInfo:x:global"


def test_namespace_with_quota_and_mapping() -> None:
    ns = parse.parse_namespace(
        {
            "id": "ns1",
            "name": "ns1",
            "default_data_services_vpool": "urn:rg",
            "user_mapping": [{"domain": "d", "groups": ["g"], "attributes": []}],
            "blockSize": -1,
            "notificationSize": -1,
            "is_encryption_enabled": "false",
        }
    )
    assert ns.default_replication_group == "urn:rg"
    assert ns.quota == Quota(-1, -1)
    assert ns.user_mapping[0]["groups"] == ["g"]


def test_lists_and_markers() -> None:
    items, marker = parse.parse_namespace_list({"namespace": [{"id": "a", "name": "a"}], "NextMarker": "a"})
    assert [n.name for n in items] == ["a"] and marker == "a"
    items, marker = parse.parse_bucket_list({"object_bucket": [], "MaxBuckets": 100, "Filter": ""}, "ns")
    assert items == [] and marker is None
    assert parse.next_marker({"next_marker": ""}) is None


def test_non_object_body_is_malformed() -> None:
    with pytest.raises(ECSMalformedResponse):
        parse.parse_capacity([{"totalProvisioned_gb": 1, "totalFree_gb": 1}])


def test_secret_keys_empty_slot_and_error_body() -> None:
    keys = parse.parse_secret_keys({"secret_key_1": "abc", "secret_key_2": ""}, "alice")
    assert keys.keys == ("abc",)
    err = parse.parse_error(
        {
            "code": "1004",
            "description": "Request parameter cannot be found",
            "details": "Unable to find entity",
            "retryable": "false",
        }
    )
    assert err == {
        "code": 1004,
        "description": "Request parameter cannot be found",
        "details": "Unable to find entity",
        "retryable": False,
    }


# -- ObjectScale 4.x shapes ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("size", "unit", "expected"),
    [
        ("1", "KiB", 1024),
        ("1", "kib", 1024),
        ("1.5", "MiB", 1536 * 1024),
        ("2", "GiB", 2 * 2**30),
        ("4096", "BYTE", 4096),
        ("1", "TiB", 2**40),
        ("1", "KB", 1024),
        ("1", "MB", 2**20),
        ("1", "GB", 2**30),
    ],
)
def test_size_units_binary_in_both_spellings(size: str, unit: str, expected: int) -> None:
    assert parse.size_to_bytes(size, unit) == expected
    usage = parse.parse_bucket_usage(
        {"namespace": "ns", "name": "b", "total_size": size, "total_size_unit": unit, "total_objects": 1}
    )
    assert usage.size_bytes == expected


def test_unknown_size_unit_is_malformed() -> None:
    with pytest.raises(ECSMalformedResponse, match="unit"):
        parse.size_to_bytes("1", "PB")


def test_hidden_secret_keys_objectscale_41() -> None:
    keys = parse.parse_secret_keys(
        {
            "secret_key_1": "********",
            "secret_key_1_exist": True,
            "secret_key_1_id": "a" * 64,
            "key_timestamp_1": "2026-01-01 00:00:00.000",
            "key_expiry_timestamp_1": "",
            "secret_key_2": "",
            "secret_key_2_exist": False,
            "secret_key_2_id": "",
        },
        "alice",
    )
    assert keys.keys == () and keys.hidden == 1 and keys.key_ids == ("a" * 64,) and keys.count == 1


def test_hidden_secret_keys_both_slots_and_string_flags() -> None:
    keys = parse.parse_secret_keys(
        {
            "secret_key_1": "",
            "secret_key_1_exist": "true",
            "secret_key_1_id": "id-1",
            "secret_key_2": "xxxxxxxxxxxxxxxx",
            "secret_key_2_exist": "true",
            "secret_key_2_id": "id-2",
        },
        "alice",
    )
    assert keys.keys == () and keys.hidden == 2 and keys.key_ids == ("id-1", "id-2")


def test_visible_keys_with_exist_flags_ecs_3x() -> None:
    keys = parse.parse_secret_keys(
        {
            "secret_key_1": "rTuCD7wLu3lhC1Z79N3MOD86kl/wKCB1GCNZwgXa",
            "secret_key_1_exist": True,
            "secret_key_2": "",
            "secret_key_2_exist": False,
        },
        "alice",
    )
    assert keys.keys == ("rTuCD7wLu3lhC1Z79N3MOD86kl/wKCB1GCNZwgXa",) and keys.hidden == 0 and keys.count == 1


def test_billing_times_parsed_or_none() -> None:
    from datetime import datetime, timezone

    base = {"namespace": "ns", "name": "b", "total_size": "1", "total_size_unit": "KB", "total_objects": 1}
    usage = parse.parse_bucket_usage(
        {**base, "sample_time": "2026-07-26T10:00:00Z", "uptodate_till": "2026-07-26T10:05:00.123+02:00"}
    )
    assert usage.sample_time == datetime(2026, 7, 26, 10, 0, tzinfo=timezone.utc)
    assert usage.uptodate_till == datetime(2026, 7, 26, 8, 5, 0, 123000, tzinfo=timezone.utc)
    assert parse.parse_bucket_usage({**base, "sample_time": "yesterday", "uptodate_till": ""}).sample_time is None
    assert parse.parse_bucket_usage(base).uptodate_till is None


def test_bulk_namespace_billing_envelope() -> None:
    pages = parse.parse_namespace_billings(
        {
            "namespace_billing_infos": [
                {
                    "namespace": "a",
                    "total_size": "2",
                    "total_size_unit": "KiB",
                    "total_objects": 2,
                    "next_marker": "m",
                    "bucket_billing_info": [
                        {"name": "b1", "total_size": "2", "total_size_unit": "KiB", "total_objects": 2}
                    ],
                },
                {"valid_namespace": "b", "total_size_in_gb": "0", "total_objects": 0},
            ]
        }
    )
    assert [p.usage.namespace for p in pages] == ["a", "b"] and pages[0].next_marker == "m"
    assert pages[0].usage.buckets["b1"].namespace == "a" and pages[0].usage.size_bytes == 2048
    assert parse.parse_namespace_billings({"namespace_billing_infos": []}) == []
    with pytest.raises(ECSMalformedResponse):
        parse.parse_namespace_billings({"bucket_billing_infos": []})
