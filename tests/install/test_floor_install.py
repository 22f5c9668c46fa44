"""The floor environment (.venv-floor, built by ``make test``): installing the plugin into a ColdFront 1.1.6
site changes none of the packages the site already had, and the floor run really runs on that site."""

from __future__ import annotations

import os
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

FLOOR = Path(__file__).resolve().parents[2] / ".venv-floor"


def _freeze(path: Path) -> dict[str, str]:
    """``pip freeze`` lines -> {normalised name: version or '@ url'}."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-e ")):
            continue
        name, _sep, rest = re.split(r"(==| @ )", line, maxsplit=1)
        found[re.sub(r"[-_.]+", "-", name).lower()] = rest
    return found


def _freezes() -> tuple[dict[str, str], dict[str, str]]:
    site, with_plugin = FLOOR / "freeze-site.txt", FLOOR / "freeze-with-plugin.txt"
    if not (site.is_file() and with_plugin.is_file()):
        message = f"floor environment not built at {FLOOR} (make test builds it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return _freeze(site), _freeze(with_plugin)


def test_installing_the_plugin_changes_none_of_the_sites_packages():
    site, with_plugin = _freezes()
    changed = {
        name: (was, with_plugin.get(name, "removed")) for name, was in site.items() if with_plugin.get(name) != was
    }
    assert changed == {}
    assert "coldfront-ecs-plugin" in with_plugin
    assert "django-q2" not in with_plugin


def test_the_floor_site_is_coldfront_1_1_6_with_its_own_pins():
    site, _ = _freezes()
    assert (site["coldfront"], site["django"], site["django-q"]) == ("1.1.6", "4.2.11", "1.3.9")
    assert "django-q2" not in site


@pytest.mark.skipif(os.environ.get("ECS_FLOOR_RUN") != "1", reason="only in the floor run (.ci/floor)")
def test_the_floor_run_runs_on_the_floor():
    assert version("coldfront") == "1.1.6"
    assert version("django").startswith("4.2.")
    assert version("django-q") == "1.3.9"
    with pytest.raises(PackageNotFoundError):
        version("django-q2")
