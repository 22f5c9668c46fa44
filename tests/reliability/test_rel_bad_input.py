"""Guarantee 4: a table-driven bad-input corpus. Every case gives a clear message an admin can act on,
never a 500 page, and writes nothing: no namespace or bucket on ECS, no ECS write call, no new attribute."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from coldfront_ecs_plugin import attributes
from harness.stub import StubECS
from harness.sync import bind_recorded, sync_json
from harness.world import attr, attr_names, notes, set_attr, set_resource_attr


@dataclass
class Case:
    id: str
    message: str  # a fragment of the admin note
    title: str = "Corpus Lab"
    quota_tb: str | None = "1"
    quantity: int = 1
    namespace: str | None = None
    bucket: str | None = None
    url: str | None = "SIM"  # "SIM": the simulator; None: no url attribute at all
    replication_group: str | None = "rg1"
    setup: list[str] = field(default_factory=list)  # "recorded:<ns>" or "ecs:<ns>"


APPROVAL_CASES = [
    # project titles
    Case("title-empty", "cannot derive an ECS namespace", title=""),
    Case("title-spaces", "cannot derive an ECS namespace", title="     "),
    Case("title-emoji", "cannot derive an ECS namespace", title="🚀🔥💾"),
    Case("title-cjk", "cannot derive an ECS namespace", title="量子计算研究室"),
    Case("title-punctuation", "cannot derive an ECS namespace", title="!!! ??? ..."),
    Case("title-hyphens-underscores", "cannot derive an ECS namespace", title="-_-_-"),
    Case("title-greek", "cannot derive an ECS namespace", title="Ωμέγα"),
    Case(
        "title-collides-underscore", "already recorded by allocation", title="Smith_Lab", setup=["recorded:smith-lab"]
    ),
    Case("title-collides-dot", "already recorded by allocation", title="smith.lab", setup=["recorded:smith-lab"]),
    Case(
        "title-collides-case-space", "already recorded by allocation", title="SMITH   LAB", setup=["recorded:smith-lab"]
    ),
    Case("title-collides-foreign-namespace", "already exists on ECS", title="Jones Lab", setup=["ecs:jones-lab"]),
    # Namespace / Bucket attributes set by an admin
    Case("namespace-underscore", "Namespace attribute", namespace="Bad_NS"),
    Case("namespace-leading-hyphen", "Namespace attribute", namespace="-lead"),
    Case("namespace-64-chars", "Namespace attribute", namespace="n" * 64),
    Case("namespace-space", "Namespace attribute", namespace="my lab"),
    Case("bucket-too-short", "Bucket attribute", bucket="ab"),
    Case("bucket-ip-address", "Bucket attribute", bucket="192.168.1.1"),
    Case("bucket-uppercase", "Bucket attribute", bucket="UPPER-bucket"),
    Case("bucket-double-dot", "Bucket attribute", bucket="a..b"),
    Case("bucket-trailing-hyphen", "Bucket attribute", bucket="lab-bucket-"),
    # Storage Quota (TB)
    Case("quota-non-numeric", "is not a number", quota_tb="lots"),
    Case("quota-negative", "greater than 0", quota_tb="-1"),
    Case("quota-zero", "greater than 0", quota_tb="0"),
    Case("quota-nan", "not a number", quota_tb="NaN"),
    Case("quota-infinity", "not a number", quota_tb="inf"),
    Case("quota-comma-decimal", "is not a number", quota_tb="1,5"),
    Case("quota-below-one-gb", "minimum of 1 GB", quota_tb="0.0001"),
    Case("quota-quantity-zero", "greater than 0", quota_tb=None, quantity=0),
    Case("quota-1e30", "too large", quota_tb="1e30"),
    # url
    Case("url-missing", "no 'url' attribute", url=None),
    Case("url-blank", "no 'url' attribute", url="   "),
    Case("url-wrong-scheme", "scheme 'ftp' is not supported", url="ftp://127.0.0.1:4443"),
    Case("url-with-path", "must not have a path", url="https://127.0.0.1:4443/api/v1"),
    Case("url-with-query", "must not have a path or query", url="https://127.0.0.1:4443?x=1"),
    Case("url-with-credentials", "must not contain credentials", url="https://admin:hunter2@127.0.0.1:4443"),
    Case("url-plain-http", "plain http", url="http://127.0.0.1:4443"),
    Case("url-bad-port", "not a valid host or URL", url="https://127.0.0.1:99999"),
    # replication group
    Case("replication-group-missing", "no replication group", replication_group=None),
    Case("replication-group-unknown", "does not exist on ECS", replication_group="rg-nowhere"),
]

WRITES = ("POST ", "PUT ", "DELETE ")


def _prepare(world, case: Case):
    resource = world.resource(
        url="" if case.url is None else (world.sim.host_port if case.url == "SIM" else case.url),
        replication_group=case.replication_group,
    )
    if case.url is None:
        resource.resourceattribute_set.filter(resource_attribute_type__name=attributes.URL).delete()
    for item in case.setup:
        kind, ns = item.split(":")
        if kind == "recorded":
            other = world.allocation(f"Owner of {ns}", resource=resource, status="Active", namespace=ns)
            assert attr(other, attributes.NAMESPACE) == ns
        else:
            with world.ecs_client() as client:
                client.create_namespace(ns, replication_group_id=client.replication_group_id("rg1"))
    allocation = world.allocation(
        case.title,
        resource=resource,
        quota_tb=case.quota_tb,
        quantity=case.quantity,
        namespace=case.namespace,
        bucket=case.bucket,
    )
    return allocation


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=[c.id for c in APPROVAL_CASES])
def test_bad_input_refused_through_the_approval_view(world, case):
    allocation = _prepare(world, case)
    namespaces_before = world.namespaces()
    stats_before = world.sim.stats()["by_endpoint"]
    attrs_before = attr_names(allocation)

    response = world.approve(allocation)  # asserts a 302, not a 500 page

    assert response.status_code == 302
    assert allocation.status.name == "New", "the allocation is not left Active and unprovisioned"
    [note] = notes(allocation)
    assert case.message in note, note
    assert "hunter2" not in note
    assert world.namespaces() == namespaces_before, "nothing created on ECS"
    writes = {
        k: v - stats_before.get(k, 0)
        for k, v in world.sim.stats()["by_endpoint"].items()
        if k.startswith(WRITES) and v > stats_before.get(k, 0)
    }
    assert writes == {}, "no ECS write call at all"
    # only the plugin's own ECS Status says what happened
    assert [n for n in attr_names(allocation) if n != attributes.ECS_STATUS] == attrs_before, "no attribute written"
    detail = world.client.get(f"/allocation/{allocation.pk}/")
    assert detail.status_code == 200, "the allocation page still renders"


def test_300_character_title_is_truncated_cleanly(world):
    """Names, not errors: a very long title gives a valid 63-character namespace and a valid bucket."""
    from coldfront_ecs_plugin import naming

    names = naming.resolve_names("Computational " + "very-long " * 29, None, None)
    assert len("Computational " + "very-long " * 29) >= 300
    assert len(names.namespace) <= 63 and not names.namespace.endswith("-")
    assert len(names.bucket) <= 63 and names.bucket.endswith("-bucket")
    allocation = world.allocation("L" * 120 + " " + "x" * 120, quota_tb="1")  # 241: fits Project.title
    world.approve(allocation)
    assert allocation.status.name == "Active", notes(allocation)
    [namespace] = world.namespaces()
    assert len(namespace) <= 63 and not namespace.endswith("-")


# -- quota changes with bad values, through the admin attribute-edit view ------------------------------
BAD_CHANGES = [
    ("abc", "Value must be an float"),
    ("-5", "greater than 0"),
    ("0", "greater than 0"),
    ("NaN", "Value must be an float"),
    ("1,5", "Value must be an float"),
]


@pytest.mark.parametrize(("value", "message"), BAD_CHANGES, ids=[v for v, _m in BAD_CHANGES])
def test_bad_quota_change_is_reverted_and_explained(world, value, message):
    allocation = world.allocation("Change Lab", quota_tb="1")
    world.approve(allocation)
    before = world.sim.stats()["by_endpoint"]
    from django.contrib.messages import get_messages

    response = world.edit_attribute(allocation, attributes.QUOTA_TB, value)
    assert float(attr(allocation, attributes.QUOTA_TB)) == 1.0, "the old value is kept or put back"
    # either ColdFront's own form refuses it (a message on the page), or the plugin reverts it with a note
    shown = [str(m) for m in get_messages(response.wsgi_request)] + notes(allocation)
    assert any(message in text for text in shown), shown
    after = world.sim.stats()["by_endpoint"]
    assert {k for k in after if k.startswith("PUT ") and after[k] != before.get(k, 0)} == set()


# -- automation options (FASRC fork path) -----------------------------------------------------------
AUTOMATION = [(["globus"], "globus"), (["nfs_share", "smb_share"], "smb_share"), ("snapshots", "snapshots")]


@pytest.mark.parametrize(("options", "named"), AUTOMATION, ids=["unknown", "one-of-two-unknown", "bare-string"])
def test_unknown_automation_option_refused_on_the_fork_path(world, options, named):
    from coldfront_ecs_plugin import signals

    resource = world.resource()
    allocation = world.allocation("Automation Lab", resource=resource, status="Pending")
    with pytest.raises(ValueError, match="does not support the automation option") as raised:
        signals.ecs_allocation_autocreate(
            None,
            allocation_obj=allocation,
            resource=resource,
            approval_form_data={"automation_specifications": options},
        )
    assert named in str(raised.value) and "nfs_share" in str(raised.value)
    assert world.namespaces() == [] and [n for n in attr_names(allocation) if n != attributes.ECS_STATUS] == []


# -- malformed ECS replies (a local stub server) ------------------------------------------------------
GOOD_BILLING = json.dumps(
    {
        "bucket_billing_infos": [
            {
                "name": "stub-bucket",
                "namespace": "stub-ns",
                "total_size": "1048576",
                "total_size_unit": "KB",
                "total_objects": 3,
            }
        ]
    }
)
MALFORMED = [
    (
        "html-error-page",
        200,
        "text/html",
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
        "HTML instead of JSON",
    ),
    (
        "xml-body",
        200,
        "application/xml",
        "<namespace_quota_details><blockSize>5</blockSize></namespace_quota_details>",
        "XML instead of JSON",
    ),
    ("truncated-json", 200, "application/json", '{"blockSize": 2048, "notificationSi', "truncated JSON"),
    ("missing-fields", 200, "application/json", '{"namespace": "stub-ns"}', "required field"),
    ("json-array", 200, "application/json", "[2048, 1843]", "expected an object"),
    ("empty-body", 200, "application/json", "", "empty body"),
    ("boolean-number", 200, "application/json", '{"blockSize": true, "notificationSize": 1}', "boolean"),
    ("fractional-gb", 200, "application/json", '{"blockSize": "20.5", "notificationSize": 1}', "integer"),
]
WELL_FORMED = [
    ("string-numbers", '{"blockSize": "3072", "notificationSize": "2764"}', 3.0),
    ("minus-one-unlimited", '{"blockSize": -1, "notificationSize": -1}', None),
]


@pytest.fixture
def stub(world, settings):
    """A plain-HTTP ECS stand-in with one allocation (stub-ns/stub-bucket, 1 TB) on a resource pointing at it."""
    server = StubECS()
    settings.ECS_ALLOW_HTTP = True
    server.replies.update(
        {
            "GET /object/capacity": (200, "application/json", '{"totalProvisioned_gb": 1024, "totalFree_gb": 512}'),
            "GET /object/namespaces": (
                200,
                "application/json",
                json.dumps({"namespace": [{"name": "stub-ns", "id": "stub-ns"}]}),
            ),
            "POST /object/billing/buckets/stub-ns/info": (200, "application/json", GOOD_BILLING),
        }
    )
    resource = world.resource("ECS stub", url=server.url)
    allocation = world.allocation(
        "Stub Lab", resource=resource, status="Active", quota_tb="1", namespace="stub-ns", bucket="stub-bucket"
    )
    set_attr(allocation, attributes.QUOTA_BYTES, str(2**40))
    set_resource_attr(resource, attributes.URL, server.url)
    bind_recorded()  # as the upgrade migration binds an allocation provisioned before bindings
    yield server, allocation
    server.stop()


QUOTA_PATH = "GET /object/namespaces/namespace/stub-ns/quota"


@pytest.mark.parametrize(
    ("status", "ctype", "body", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_reply_is_a_clear_failure_and_overwrites_nothing(stub, status, ctype, body, message):
    from coldfront_ecs_plugin.ecs import ECSClient, ECSMalformedResponse

    server, allocation = stub
    server.replies[QUOTA_PATH] = (status, ctype, body)
    with ECSClient(server.url, "admin", "pw", timeout=5) as client, pytest.raises(ECSMalformedResponse, match=message):
        client.get_namespace_quota("stub-ns")

    report, code = sync_json()
    assert code == 1
    [failure] = [f for r in report["resources"] for f in r["failures"] if f["allocation_id"] == allocation.pk]
    assert (
        message.split()[0].lower() in failure["reason"].lower()
        or "malformed" in failure["reason"].lower()
        or message in failure["reason"]
    ), failure
    assert attr(allocation, attributes.QUOTA_TB) == "1", "a malformed read never overwrites the quota"
    assert attr(allocation, attributes.QUOTA_BYTES) == str(2**40)


@pytest.mark.parametrize(("body", "expected_tb"), [w[1:] for w in WELL_FORMED], ids=[w[0] for w in WELL_FORMED])
def test_string_numbers_and_unlimited_are_parsed_not_errors(stub, body, expected_tb):
    server, allocation = stub
    server.replies[QUOTA_PATH] = (200, "application/json", body)
    report, code = sync_json()
    assert code == 0, report
    if expected_tb is None:  # unlimited: the value is left and the run says so
        assert attr(allocation, attributes.QUOTA_TB) == "1"
        assert any("unlimited" in note for r in report["resources"] for note in r["notes"]), report
    else:
        assert float(attr(allocation, attributes.QUOTA_TB)) == expected_tb
    usage = allocation.allocationattribute_set.get(allocation_attribute_type__name=attributes.QUOTA_BYTES)
    assert usage.allocationattributeusage.value == 1048576 * 1024, "string sizes parsed too"
