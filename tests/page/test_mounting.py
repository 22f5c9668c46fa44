"""ColdFront 1.1.8+ mounts the pages from a ``local_urls.py`` named by ``COLDFRONT_URLS``, as the README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import coldfront_version

TESTS = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(coldfront_version() < (1, 1, 8), reason="ColdFront < 1.1.8 has no COLDFRONT_URLS")
def test_coldfront_urls_mounts_the_pages(tmp_path):
    local_urls = tmp_path / "local_urls.py"
    local_urls.write_text(
        'from django.urls import include, path\n\nurlpatterns += [path("ecs/", include("coldfront_ecs_plugin.urls"))]\n'
    )
    code = (
        "import django; django.setup(); from django.urls import resolve, reverse; "
        "print(resolve('/ecs/').url_name, reverse('ecs-usage-csv'))"
    )
    env = {
        **os.environ,
        "COLDFRONT_URLS": str(local_urls),
        "DJANGO_SETTINGS_MODULE": "ecs_test_settings",
        "PYTHONPATH": str(TESTS),
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["ecs-overview", "/ecs/usage.csv"]
