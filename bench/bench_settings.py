"""Django settings for the benchmark: real ColdFront settings, the plugin, a SQLite file from $BENCH_DB
(or any database from $BENCH_DB_URL, for ``bulk_write_bench.py`` on PostgreSQL).

Tables are created syncdb-style (migrations disabled), which takes a fraction of a second instead of ~4 s.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "False")
os.environ["DB_URL"] = os.environ.get("BENCH_DB_URL") or "sqlite:///" + os.environ["BENCH_DB"]

from coldfront.config.settings import *  # noqa: F403


class _NoMigrations:
    def __contains__(self, item: str) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


INSTALLED_APPS += ["coldfront_ecs_plugin"]  # noqa: F405
MIGRATION_MODULES = _NoMigrations()
Q_CLUSTER = {"name": "ecs-bench", "sync": True, "orm": "default", "timeout": 600, "retry": 1200}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
ECS_USER = "admin"
ECS_PASS = "ChangeMe"
ECS_VERIFY_SSL = os.environ.get("BENCH_CA", True)
ECS_SYNC_CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
ECS_REQUEST_TIMEOUT = 30
