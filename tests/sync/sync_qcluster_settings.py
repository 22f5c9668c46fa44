"""Settings shared by the qcluster test's subprocesses: a SQLite *file* and Redis as the django-q broker.

The test process's own database is pytest-django's in-memory SQLite, which no other process can open,
so the real-qcluster test builds its own file database (syncdb-style, migrations off) and drives
everything (seeding, ``ecs_sync --queue``, ``qcluster``) through processes that import this module.
"""

import os

os.environ["ECS_TEST_DB"] = "sqlite"

from ecs_test_settings import *  # noqa: F403


class _NoMigrations:
    def __contains__(self, item: str) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["ECS_QTEST_DB"], "OPTIONS": {"timeout": 30}}
}
MIGRATION_MODULES = _NoMigrations()
Q_CLUSTER = {
    "name": os.environ.get("ECS_QTEST_QNAME", "ecs-qtest"),
    "workers": 2,
    "timeout": 60,
    "retry": 120,
    "max_attempts": 1,
    "poll": 0.2,
    "redis": {"host": "127.0.0.1", "port": 6379, "db": 0},
}
ECS_VERIFY_SSL = os.environ["ECS_QTEST_CA"]
