"""The staff page, the history page and the CSV through Django's test client (both ColdFront versions)."""

from __future__ import annotations

import re

from page.conftest import USAGES, login

TIB = 2**40


def test_access_staff_only(client, page_world):
    response = client.get("/ecs/")
    assert response.status_code == 302 and "/user/login" in response["Location"]
    login(client, page_world.pi)
    assert client.get("/ecs/").status_code == 403
    assert client.get(f"/ecs/allocation/{page_world.allocs[0].pk}/").status_code == 403
    assert client.get("/ecs/usage.csv").status_code == 403
    login(client, page_world.staff)
    assert client.get("/ecs/").status_code == 200


def test_overview_shows_chart_and_table_from_the_database(client, page_world):
    login(client, page_world.staff)
    html = client.get("/ecs/").content.decode()
    assert re.search(r'<svg[^>]*class="ecs-capacity-chart"', html)
    assert 'data-series="capacity" data-tb="100.000000"' in html
    assert 'data-series="used" data-tb="40.000000"' in html  # 100 TB provisioned, 60 TB free
    assert 'data-series="allocated" data-tb="6.000000"' in html  # three namespaces of 2 TB
    assert 'data-series="bound" data-tb="6.000000"' in html
    assert "overcommit ratio 0.06" in html
    assert html.count('<tr data-allocation-id="') == 3
    assert "1.50 TB" in html and "75 %" in html  # 1.5 of 2 TB
    assert "0.195 TB" in html  # 200 GiB
    assert "Last sync:" in html and "problems" not in html


def _row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-allocation-id="(\d+)"', html)]


def test_sort_and_filter(client, page_world):
    login(client, page_world.staff)
    by_used = _row_ids(client.get("/ecs/?sort=used&dir=desc").content.decode())
    expected = [a.pk for a, _u in sorted(zip(page_world.allocs, USAGES, strict=True), key=lambda p: -p[1])]
    assert by_used == expected
    assert _row_ids(client.get("/ecs/?sort=used&dir=asc").content.decode()) == expected[::-1]
    assert _row_ids(client.get("/ecs/?state=failed").content.decode()) == []
    assert len(_row_ids(client.get(f"/ecs/?state=active&resource={page_world.resource.pk}").content.decode())) == 3


def test_bad_input_is_a_400_with_a_message(client, page_world):
    login(client, page_world.staff)
    for url, message in (
        ("/ecs/usage.csv?month=garbage", "month must be YYYY-MM"),
        ("/ecs/usage.csv?month=2024-13", "month must be YYYY-MM"),
        ("/ecs/usage.csv?month=2999-01", "has not begun"),
        ("/ecs/?sort=nope", "sort must be one of"),
        ("/ecs/?state=weird", "state must be one of"),
        ("/ecs/?resource=abc", "resource must be"),
        ("/ecs/?dir=up", "dir must be"),
        (f"/ecs/allocation/{page_world.allocs[0].pk}/?days=-3", "days must be"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in response.content.decode(), url
    assert client.get("/ecs/allocation/987654/").status_code == 404


def test_history_page_draws_usage_and_quota(client, page_world):
    login(client, page_world.staff)
    pk = page_world.allocs[1].pk
    html = client.get(f"/ecs/allocation/{pk}/?days=30").content.decode()
    assert 'class="ecs-history-chart"' in html
    # ColdFront writes a 0 usage row when the attribute is created, then ecs_sync writes 1.5 TB
    assert 'data-series="used" data-points="2" data-last-tb="1.500000"' in html
    assert 'data-series="quota" data-points="1" data-last-tb="2.000000"' in html
    assert "1.50 TB used of 2.00 TB (75 %)" in html
