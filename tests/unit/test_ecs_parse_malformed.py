"""ECS bodies the parsers refuse (ECSMalformedResponse naming what is missing) and error bodies read
best effort: a garbled error body never hides the HTTP error behind a parse error."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin.ecs import ECSMalformedResponse, parse


@pytest.mark.parametrize(
    ("parser", "body", "message"),
    [
        (parse.parse_namespace, {"name": ""}, "namespace name is empty"),
        (parse.parse_bucket, {"name": "b1", "id": "no-dot"}, "bucket 'b1': namespace missing from ECS response"),
        (parse.parse_vdc, {"vdcId": "", "name": "vdc1"}, "VDC id is empty"),
        (parse.parse_replication_groups, {"other": []}, "replication group list lacks data_service_vpool"),
        (parse.parse_object_users, {"blobuser": ["alice"]}, "blobuser entry is not an object"),
        (parse.parse_new_secret_key, {"secret_key": ""}, "ECS returned an empty secret key"),
        (parse.parse_bucket_usage, {"total_size": "1", "total_objects": 1}, "lacks the bucket name or namespace"),
        (parse.parse_bucket_usages, {"other": []}, "bulk billing response lacks bucket_billing_infos"),
        (parse.parse_namespace_billing, {"total_size": "1"}, "namespace billing response lacks the namespace"),
    ],
)
def test_bodies_missing_what_matters_are_refused(parser, body, message):
    with pytest.raises(ECSMalformedResponse, match=message):
        parser(body)


def test_a_bucket_without_namespace_field_takes_it_from_its_id():
    assert parse.parse_bucket({"name": "b1", "id": "lab.b1"}).namespace == "lab"
    assert parse.parse_bucket({"name": "b1"}, "given").namespace == "given"


def test_error_bodies_are_read_best_effort():
    assert parse.parse_error("Service Unavailable") == {}
    assert parse.parse_error({"code": "soon", "description": "x" * 600, "details": "", "retryable": "perhaps"}) == {
        "code": None,
        "description": "x" * 500,
        "details": None,
        "retryable": None,
    }
    assert parse.parse_error({"error": {"code": "1004", "retryable": "true"}})["code"] == 1004
