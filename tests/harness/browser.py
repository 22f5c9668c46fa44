"""Debian's Chromium through Playwright, one per test session, shared by every browser suite.

Skipped with a message where Playwright or /usr/bin/chromium is missing, except under CI=true, where
that is a failure (outside the floor run, whose environment has no Playwright).
Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (make install-chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test session (registered for every suite by tests/conftest.py)."""
    reason = _unavailable()
    if reason:
        # the floor environment (ColdFront 1.1.6, .ci/floor) has no Playwright by design
        if os.environ.get("CI") == "true" and not os.environ.get("ECS_FLOOR_RUN"):
            pytest.fail(f"CI=true: browser tests cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; Django would then refuse every ORM call
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def page_as(browser, live_server, user=None):
    """A browser page logged in as ``user`` (a session made by Django's test client), or anonymous."""
    context = browser.new_context(accept_downloads=True)
    if user is not None:
        from django.test import Client

        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context, context.new_page()


def screenshot(page, name: str, **options) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True, **options)


def click_and_load(page, target) -> None:
    """Click a link or submit button and wait for the page it loads.

    A click only starts a navigation; reading the DOM straight after it (count(), evaluate_all(),
    is_visible(), which do not wait) can see the old page or a blank one in between.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()
