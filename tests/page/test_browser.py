"""The staff page in Debian's Chromium through Playwright, on a live server with ColdFront's real templates.

The browser (one per session, skipped or required as tests/harness/browser.py says) comes from
tests/conftest.py. Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from harness.browser import ARTIFACTS, click_and_load
from harness.browser import page_as as _page_as
from page.conftest import USAGES, build_world


@pytest.fixture
def world(transactional_db, sim, settings):
    from harness.world import seed_defaults

    settings.ROOT_URLCONF = "harness.ecs_urls"
    seed_defaults()  # a transactional test starts from an empty database
    return build_world(sim)


def _row_ids(page) -> list[int]:
    return [
        int(x)
        for x in page.locator("#ecs-bindings tbody tr[data-allocation-id]").evaluate_all(
            "rows => rows.map(r => r.dataset.allocationId)"
        )
    ]


def test_staff_page_in_a_browser(browser, live_server, world):
    from coldfront.core.resource.models import ResourceAttribute

    context, page = _page_as(browser, live_server, world.staff)
    response = page.goto(f"{live_server.url}/ecs/")
    assert response.status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ecs-staff-page.png"), full_page=True)

    chart = page.locator("svg.ecs-capacity-chart")
    assert chart.count() == 1
    capacity = ResourceAttribute.objects.get(resource=world.resource, resource_attribute_type__name="capacity_tb")
    assert float(chart.locator('rect[data-series="capacity"]').get_attribute("data-tb")) == float(capacity.value)
    assert _row_ids(page) == sorted(a.pk for a in world.allocs)  # projects "Lab N" in creation order
    assert page.locator("#ecs-bindings tr[data-allocation-id] td.ecs-quota").all_inner_texts() == ["2.00 TB"] * 3

    click_and_load(page, 'a[data-sort="used"]')
    assert page.url.endswith("sort=used&dir=asc")
    click_and_load(page, 'a[data-sort="used"]')  # second click: descending
    assert page.url.endswith("sort=used&dir=desc")
    expected = [a.pk for a, _u in sorted(zip(world.allocs, USAGES, strict=True), key=lambda p: -p[1])]
    assert _row_ids(page) == expected

    page.select_option('select[name="state"]', "failed")
    click_and_load(page, "#ecs-filter button")
    assert _row_ids(page) == [] and "state=failed" in page.url

    page.goto(f"{live_server.url}/ecs/")
    click_and_load(page, f'#ecs-bindings a[href="/ecs/allocation/{world.allocs[1].pk}/"]')
    used_line = page.locator("svg.ecs-history-chart polyline[data-series='used']")
    assert used_line.get_attribute("data-last-tb") == "1.500000"
    page.screenshot(path=str(ARTIFACTS / "ecs-allocation-history.png"), full_page=True)

    page.goto(f"{live_server.url}/ecs/")
    with page.expect_download() as download:
        page.click("#ecs-csv-link")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert sorted(int(r["allocation_id"]) for r in rows) == sorted(a.pk for a in world.allocs)
    peaks = {int(r["allocation_id"]): float(r["peak_used_tb"]) for r in rows}
    assert peaks[world.allocs[1].pk] == 1.5
    context.close()


def test_pi_gets_403_and_anonymous_the_login_page(browser, live_server, world):
    context, page = _page_as(browser, live_server, world.pi)
    assert page.goto(f"{live_server.url}/ecs/").status == 403
    context.close()
    context, page = _page_as(browser, live_server)
    page.goto(f"{live_server.url}/ecs/")
    assert re.search(r"/user/login\?next=/ecs/", page.url)
    context.close()
