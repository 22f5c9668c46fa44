"""The member's S3 page (``/ecs/s3/``) through Django's test client on the simulator."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from harness.secrets import every_text_in_database
from s3page.conftest import S3_ENDPOINT, login

URL = "/ecs/s3/"


def _post(client, row, action: str, **extra):
    return client.post(URL, {"object_user": row.pk, "action": action, **extra})


def _secret(response) -> str:
    match = re.search(
        r'id="ecs-secret-key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="ecs-secret-key"', response.content.decode()
    )
    assert match, "no key on the page"
    return match.group(1) or match.group(2)


def _ecs_keys(s3world, row):
    with s3world.world.ecs_client() as client:
        return client.get_secret_keys(row.userid, row.namespace)


def test_anonymous_is_sent_to_the_login_page(s3world):
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_member_sees_their_own_s3_user_with_endpoint_bucket_and_access_key_id(s3world, client):
    login(client, s3world.ann)
    response = client.get(URL)
    page = response.content.decode()
    ann, bob = s3world.row("ann"), s3world.row("bob")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert ann.userid in page and S3_ENDPOINT in page and ann.binding.bucket in page
    assert bob.userid not in page and s3world.row("s3pi").userid not in page
    assert "ecs-create-key" in page and "ecs-secret-key" not in page


def test_create_read_once_reload_rotate_delete_and_no_secret_kept_anywhere(s3world, client, every_log_line):
    login(client, s3world.ann)
    row = s3world.row("ann")
    response = _post(client, row, "create")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    first = _secret(response)
    assert _ecs_keys(s3world, row).keys == (first,)
    assert first not in client.get(URL).content.decode()  # shown once: never on a GET

    response = _post(client, row, "rotate")
    second = _secret(response)
    assert second != first and "expires in 60 minutes" in response.content.decode()
    keys = _ecs_keys(s3world, row)
    assert set(keys.keys) == {first, second}
    assert [bool(s.expires) for s in sorted(keys.slots, key=lambda s: s.number)].count(True) == 1
    page = client.get(URL).content.decode()
    assert first not in page and second not in page and page.count('class="ecs-key"') == 2

    assert _post(client, row, "rotate").status_code == 409  # a rotation is under way
    old = next(s for s in keys.slots if s.expires)
    response = _post(client, row, "delete", key=old.fingerprint)
    assert response.status_code == 200 and _ecs_keys(s3world, row).keys == (second,)
    response = _post(client, row, "delete")
    assert response.status_code == 200 and _ecs_keys(s3world, row).count == 0
    assert "ecs-no-key" in response.content.decode()

    for secret in (first, second):
        assert not [r[:2] for r in every_text_in_database() if secret in r[2]]
        assert not [line for line in every_log_line.lines if secret in line]
    assert [line for line in every_log_line.lines if "secret key created" in line]


def test_members_and_the_pi_see_and_touch_only_their_own_keys(s3world, client):
    login(client, s3world.ann)
    ann_secret = _secret(_post(client, s3world.row("ann"), "create"))
    for user in (s3world.bob, s3world.pi, s3world.staff):
        other = Client()
        login(other, user)
        page = other.get(URL).content.decode()
        assert ann_secret not in page and s3world.row("ann").userid not in page
        for action in ("rotate", "delete", "create"):
            response = _post(other, s3world.row("ann"), action)
            assert response.status_code == 404 and "no S3 user with this id" in response.content.decode()
    assert _ecs_keys(s3world, s3world.row("ann")).keys == (ann_secret,)


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        ({"action": "explode", "object_user": "ROW"}, 400, "Unknown action"),
        ({"action": "create"}, 400, "no valid id"),
        ({"action": "create", "object_user": "x' or 1=1"}, 400, "no valid id"),
        ({"action": "create", "object_user": "999999"}, 404, "no S3 user"),
        ({"action": "rotate", "object_user": "ROW"}, 409, "no key to rotate"),
        ({"action": "delete", "object_user": "ROW", "key": "0" * 64}, 404, "no longer exists"),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(s3world, client, data, status, text):
    login(client, s3world.ann)
    data = {k: (str(s3world.row("ann").pk) if v == "ROW" else v) for k, v in data.items()}
    response = client.post(URL, data)
    assert response.status_code == status and text in response.content.decode()


def test_a_second_create_is_refused_and_post_needs_csrf(s3world, client):
    login(client, s3world.ann)
    _post(client, s3world.row("ann"), "create")
    response = _post(client, s3world.row("ann"), "create")
    assert response.status_code == 409 and "rotate it" in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    login(strict, s3world.ann)
    assert _post(strict, s3world.row("ann"), "rotate").status_code == 403


def test_ecs_unreachable_is_a_502_with_a_message_and_the_page_still_renders(s3world, client):
    login(client, s3world.ann)
    s3world.world.fail("POST /object/user-secret-keys/{uid}", "GET /object/user-secret-keys/{uid}/{namespace}")
    response = _post(client, s3world.row("ann"), "create")
    assert response.status_code == 502 and "try again later" in response.content.decode()
    assert "ECS could not" in client.get(URL).content.decode()


def test_staff_see_who_has_keys_never_a_key(s3world, client):
    login(client, s3world.ann)
    secret = _secret(_post(client, s3world.row("ann"), "create"))
    staff = Client()
    login(staff, s3world.staff)
    page = staff.get(reverse("ecs-s3-holders")).content.decode()
    assert secret not in page
    counts = dict(re.findall(r'data-username="(\w+)".*?class="ecs-key-count">(\d+)<', page, re.S))
    assert counts == {"ann": "1", "bob": "0", "s3pi": "0"}
    assert "ecs-s3-holders-link" in staff.get(URL).content.decode()
    bob = Client()
    login(bob, s3world.bob)
    assert bob.get(reverse("ecs-s3-holders")).status_code == 403


def test_off_by_setting_says_so_and_refuses_posts(s3world, client, settings):
    settings.ECS_S3_USERS = False
    login(client, s3world.ann)
    assert "ecs-s3-disabled" in client.get(URL).content.decode()
    response = _post(client, s3world.row("ann"), "create")
    assert response.status_code == 404 and "not enabled" in response.content.decode()


def test_allocation_page_links_to_the_s3_page_through_the_documented_override(s3world, client, settings):
    from pathlib import Path

    import coldfront_ecs_plugin

    site = Path(coldfront_ecs_plugin.__file__).parent / "site_templates"
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(site), *settings.TEMPLATES[0]["DIRS"]]}]
    detail = reverse("allocation-detail", kwargs={"pk": s3world.allocation.pk})
    login(client, s3world.ann)
    page = client.get(detail).content.decode()
    assert 'id="ecs-s3-link"' in page and f'href="{URL}"' in page and "Allocation Information" in page
    outsider = Client()
    login(outsider, s3world.world.user("carol"))
    assert 'id="ecs-s3-link"' not in outsider.get(detail).content.decode()


def test_ecs_setup_creates_the_s3_endpoint_resource_attribute(s3world):
    from coldfront.core.resource.models import ResourceAttributeType

    assert ResourceAttributeType.objects.filter(name="s3_endpoint").exists()
