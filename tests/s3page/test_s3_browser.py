"""The S3 page in Debian's Chromium (Playwright) on a live server: a member's whole key life, and privacy.

Screenshots of each page land in test-artifacts/ (git-ignored); the key field is masked in them.
"""

from __future__ import annotations

from harness.browser import click_and_load, page_as, screenshot
from harness.secrets import every_text_in_database

URL = "/ecs/s3/"


def _key_on_page(page) -> str:
    field = page.locator("#ecs-secret-key")
    assert field.count() == 1, "no key on the page"
    return field.input_value()


def _shot(page, name: str) -> None:
    screenshot(page, name, mask=[page.locator("#ecs-secret-key")])


def _ecs_keys(s3world, row):
    with s3world.world.ecs_client() as client:
        return client.get_secret_keys(row.userid, row.namespace)


def test_member_creates_reads_once_rotates_deletes_and_no_key_is_kept(browser, live_server, s3world, every_log_line):
    row = s3world.row("ann")
    context, page = page_as(browser, live_server, s3world.ann)
    assert page.goto(live_server.url + URL).status == 200
    assert page.locator(".ecs-access-key-id").inner_text() == row.userid
    _shot(page, "ecs-s3-1-member.png")

    click_and_load(page, ".ecs-create-key")
    first = _key_on_page(page)
    assert _ecs_keys(s3world, row).keys == (first,)
    _shot(page, "ecs-s3-2-created.png")
    page.reload()  # a browser reload re-sends the create: refused, and the key is not shown again
    assert first not in page.content() and page.locator("#ecs-secret-key").count() == 0
    page.goto(live_server.url + URL)
    assert first not in page.content() and page.locator(".ecs-key").count() == 1
    _shot(page, "ecs-s3-3-reloaded.png")

    click_and_load(page, ".ecs-rotate-key")
    second = _key_on_page(page)
    assert second != first and "expires in 60 minutes" in page.content()
    _shot(page, "ecs-s3-4-rotated.png")
    page.goto(live_server.url + URL)
    assert page.locator(".ecs-key").count() == 2 and page.locator(".ecs-rotate-key").is_disabled()
    old = page.locator(".ecs-key").filter(has_not_text="never")
    click_and_load(page, old.locator(".ecs-delete-key"))
    assert page.locator("#ecs-s3-message").is_visible() and _ecs_keys(s3world, row).keys == (second,)
    click_and_load(page, ".ecs-delete-all")
    assert page.locator(".ecs-no-key").is_visible() and _ecs_keys(s3world, row).count == 0
    _shot(page, "ecs-s3-5-deleted.png")
    context.close()

    for secret in (first, second):
        assert not [r[:2] for r in every_text_in_database() if secret in r[2]], "a key is in the database"
        assert not [line for line in every_log_line.lines if secret in line], "a key is in a log line"


def test_another_member_and_the_pi_see_no_one_elses_key(browser, live_server, s3world):
    context, page = page_as(browser, live_server, s3world.ann)
    page.goto(live_server.url + URL)
    click_and_load(page, ".ecs-create-key")
    secret = _key_on_page(page)
    context.close()
    for user, name in ((s3world.bob, "member"), (s3world.pi, "pi")):
        context, page = page_as(browser, live_server, user)
        page.goto(live_server.url + URL)
        html = page.content()
        own = s3world.row(user.username)
        assert secret not in html and s3world.row("ann").userid not in html
        assert page.locator(".ecs-s3-user").count() == 1
        assert page.locator(".ecs-access-key-id").inner_text() == own.userid
        _shot(page, f"ecs-s3-other-{name}.png")
        context.close()
    context, page = page_as(browser, live_server, s3world.staff)
    page.goto(live_server.url + "/ecs/s3/users/")
    assert secret not in page.content() and page.locator("#ecs-s3-holders tbody tr").count() == 3
    _shot(page, "ecs-s3-staff-holders.png")
    context.close()
