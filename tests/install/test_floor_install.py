"""The floor environments (built by ``make test``): installing the plugin into a ColdFront 1.1.6 site
(.venv-floor) or a ColdFront 1.1.4 site (.venv-floor-1.1.4, Python 3.10) changes none of the packages the
site already had, and each floor run really runs on its site."""

from __future__ import annotations

import os
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: floor environment -> (ColdFront, Django, django-q) exactly as that release pins them
FLOORS = {".venv-floor": ("1.1.6", "4.2.11", "1.3.9"), ".venv-floor-1.1.4": ("1.1.4", "3.2.17", "1.3.9")}


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


def _freezes(floor: str) -> tuple[dict[str, str], dict[str, str]]:
    site, with_plugin = ROOT / floor / "freeze-site.txt", ROOT / floor / "freeze-with-plugin.txt"
    if not (site.is_file() and with_plugin.is_file()):
        message = f"floor environment not built at {ROOT / floor} (make test builds it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return _freeze(site), _freeze(with_plugin)


@pytest.mark.parametrize("floor", FLOORS)
def test_installing_the_plugin_changes_none_of_the_sites_packages(floor):
    site, with_plugin = _freezes(floor)
    changed = {
        name: (was, with_plugin.get(name, "removed")) for name, was in site.items() if with_plugin.get(name) != was
    }
    assert changed == {}
    assert "coldfront-ecs-plugin" in with_plugin
    assert "django-q2" not in with_plugin


@pytest.mark.parametrize("floor", FLOORS)
def test_the_floor_site_is_its_coldfront_with_its_own_pins(floor):
    site, _ = _freezes(floor)
    assert (site["coldfront"], site["django"], site["django-q"]) == FLOORS[floor]
    assert "django-q2" not in site


@pytest.mark.skipif(os.environ.get("ECS_FLOOR_RUN") != "1", reason="only in the floor run (.ci/floor)")
def test_the_floor_run_runs_on_the_floor():
    expected = FLOORS[os.environ.get("ECS_FLOOR_VENV", ".venv-floor")]
    assert (version("coldfront"), version("django"), version("django-q")) == expected
    with pytest.raises(PackageNotFoundError):
        version("django-q2")
