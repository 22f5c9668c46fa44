"""``ecs_setup`` idempotence and the Django system checks."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from coldfront_ecs_plugin import attributes, checks


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ecs_setup", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_ecs_setup_creates_everything_once():
    from coldfront.core.allocation.models import AllocationAttributeType
    from coldfront.core.resource.models import ResourceAttributeType

    first = _run()
    for spec in attributes.RESOURCE_ATTRIBUTES + attributes.ALLOCATION_ATTRIBUTES:
        assert spec.name in first
    quota = AllocationAttributeType.objects.get(name=attributes.QUOTA_TB)
    assert (quota.attribute_type.name, quota.has_usage, quota.is_changeable, quota.is_private) == (
        "Float",
        True,
        True,
        False,
    )
    qbytes = AllocationAttributeType.objects.get(name=attributes.QUOTA_BYTES)
    assert (qbytes.attribute_type.name, qbytes.has_usage, qbytes.is_private) == ("Int", True, False)
    counts = (ResourceAttributeType.objects.count(), AllocationAttributeType.objects.count())

    second = _run()
    assert "nothing to do" in second and "created" not in second
    assert (ResourceAttributeType.objects.count(), AllocationAttributeType.objects.count()) == counts


@pytest.mark.django_db
def test_ecs_setup_never_changes_existing_types():
    from coldfront.core.allocation.models import AllocationAttributeType, AttributeType

    AllocationAttributeType.objects.create(
        name=attributes.QUOTA_TB,
        attribute_type=AttributeType.objects.get(name="Float"),
        has_usage=True,
        is_private=True,
        is_changeable=False,
    )
    _run()
    tuned = AllocationAttributeType.objects.get(name=attributes.QUOTA_TB)
    assert (tuned.is_private, tuned.is_changeable) == (True, False)


@pytest.mark.django_db
def test_ecs_setup_creates_missing_base_types():
    from coldfront.core.allocation.models import AttributeType

    AttributeType.objects.filter(name="Float").delete()
    out = _run()
    assert "allocation attribute base type Float" in out


@pytest.mark.django_db
def test_check_warns_about_missing_types_until_setup():
    messages = checks.check_attribute_types()
    assert [m.id for m in messages] == [checks.TYPES_WARNING]
    assert "ecs_setup" in messages[0].hint and attributes.NAMESPACE in messages[0].msg
    _run()
    assert checks.check_attribute_types() == []


def test_check_names_each_bad_setting(settings):
    settings.ECS_USER = ""
    settings.ECS_PASS = ""
    settings.ECS_CLIENT_VERSION = "9"
    text = " | ".join(m.msg for m in checks.check_settings())
    assert "ECS_USER" in text and "ECS_PASS" in text and "ECS_CLIENT_VERSION" in text
    by_id = {m.id: m.msg for m in checks.check_settings() if "ECS_CLIENT_VERSION" in m.msg or "ECS_USER" in m.msg}
    # a wrong value blocks the site; a credential not set yet only warns, so migrate/runserver still work
    assert checks.SETTINGS_ERROR in by_id and "ECS_CLIENT_VERSION" in by_id[checks.SETTINGS_ERROR]
    assert checks.CREDENTIALS_WARNING in by_id and "ECS_USER" in by_id[checks.CREDENTIALS_WARNING]


def test_check_settings_clean(settings):
    assert checks.check_settings() == []


def test_check_warns_about_ecs_resources_with_bad_url(world):
    good = world.resource("ECS good")
    world.resource("ECS nourl", url="")
    world.resource("ECS badurl", url="ftp://x/y")
    world.resource("Cluster no url", url="")  # not an ECS resource: ignored
    messages = checks.check_resources()
    names = sorted(m.obj.name for m in messages)
    assert names == ["ECS badurl", "ECS nourl"]
    assert good.name not in names


def test_an_http_url_is_refused_unless_allowed_by_valid_settings(world, settings):
    world.resource("ECS lab", url="http://ecs-lab.example.org:9020")
    settings.ECS_ALLOW_HTTP = True
    assert checks.check_resources() == []
    settings.ECS_CLIENT_VERSION = "9"  # the settings do not load: ECS_ALLOW_HTTP is not trusted either
    [message] = checks.check_resources()
    assert message.id == checks.URL_WARNING and "uses plain http" in message.msg


@pytest.mark.django_db
def test_manage_py_check_runs_our_checks(settings):
    from django.core.management.base import SystemCheckError

    settings.ECS_CLIENT_VERSION = "9"
    with pytest.raises(SystemCheckError, match="ECS_CLIENT_VERSION"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    settings.ECS_CLIENT_VERSION = "3"
    settings.ECS_PASS = ""
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)  # a warning, not a failure
    assert "ECS_PASS is not set" in out.getvalue()


@pytest.mark.django_db
def test_ecs_setup_schedule_option():
    assert "schedule: created" in _run("--schedule")
    assert "schedule: unchanged" in _run("--schedule")
