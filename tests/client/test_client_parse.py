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


@pytest.mark.parametrize("body", [{}, {"blockSize": 2}, {"blockSize": "two", "notificationSize": 1},
                                  {"blockSize": 1.5, "notificationSize": 1},
                                  {"blockSize": True, "notificationSize": 1}])
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
    usage = parse.parse_bucket_usage({"namespace": "ns", "name": "b", "total_size": 1, "total_size_unit": "GB",
                                      "total_objects": 0})
    assert usage.size_bytes == 2**30
    with pytest.raises(ECSMalformedResponse):
        parse.parse_bucket_usage({"namespace": "ns", "name": "b", "total_size": 1, "total_size_unit": "parsecs",
                                  "total_objects": 0})


@pytest.mark.parametrize(("raw", "expected"), [(True, True), ("true", True), ("True", True), ("false", False),
                                                (False, False), (0, False)])
def test_loose_booleans(raw: object, expected: bool) -> None:
    bucket = parse.parse_bucket({"name": "b", "namespace": "ns", "fs_access_enabled": raw})
    assert bucket.filesystem_enabled is expected


def test_bucket_fields_and_snake_case_quota() -> None:
    bucket = parse.parse_bucket({
        "name": "b1", "id": "ns1.b1", "vpool": "urn:storageos:ReplicationGroupInfo:x:global", "owner": "root",
        "created": "2015-12-14T05:13:49.263Z", "block_size": "5", "notification_size": 4,
        "is_encryption_enabled": "false", "fs_access_enabled": "true"})
    assert bucket.namespace == "ns1"  # from the id when the field is absent
    assert bucket.quota == Quota(5, 4)
    assert bucket.filesystem_enabled
    assert bucket.replication_group == "urn:storageos:ReplicationGroupInfo:x:global"


def test_namespace_with_quota_and_mapping() -> None:
    ns = parse.parse_namespace({"id": "ns1", "name": "ns1", "default_data_services_vpool": "urn:rg",
                                "user_mapping": [{"domain": "d", "groups": ["g"], "attributes": []}],
                                "blockSize": -1, "notificationSize": -1, "is_encryption_enabled": "false"})
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
    err = parse.parse_error({"code": "1004", "description": "Request parameter cannot be found",
                             "details": "Unable to find entity", "retryable": "false"})
    assert err == {"code": 1004, "description": "Request parameter cannot be found",
                   "details": "Unable to find entity", "retryable": False}
