"""Proves the suite really runs on the selected database (ECS_TEST_DB or DB_URL)."""

import os

import pytest
from django.db import connection

VENDORS = {
    "sqlite": "sqlite",
    "psql": "postgresql",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "mysql": "mysql",
}


@pytest.mark.django_db
def test_selected_database_is_in_use():
    scheme = os.environ["DB_URL"].split(":", 1)[0]
    assert connection.vendor == VENDORS[scheme]
    from coldfront.core.allocation.models import AllocationStatusChoice

    assert AllocationStatusChoice.objects.filter(name="Active").exists()
