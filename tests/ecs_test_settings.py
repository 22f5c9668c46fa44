"""Django settings for the test suite: real ColdFront 1.1.x settings plus the plugin.

The database is chosen with ``ECS_TEST_DB``: ``sqlite`` (default), ``postgres`` or
``mariadb`` (the local servers our machines run); ColdFront's own ``DB_URL`` wins if set.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DEBUG", "False")

_DB = os.environ.get("ECS_TEST_DB", "sqlite").lower()
_DB_URLS = {
    "postgres": "psql://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql://root@127.0.0.1:3306/test",
    "sqlite": "sqlite:///" + os.path.join(tempfile.gettempdir(), "ecs-plugin-test.sqlite3"),
}
if _DB not in _DB_URLS:
    raise RuntimeError(f"ECS_TEST_DB must be one of {', '.join(_DB_URLS)}, got {_DB!r}")
# an explicit DB_URL (ColdFront's own variable) wins over ECS_TEST_DB
if not os.environ.get("DB_URL"):
    os.environ["DB_URL"] = _DB_URLS[_DB]

if os.environ.get("DB_URL", "").startswith("mysql"):
    import pymysql

    pymysql.version_info = (2, 2, 7, "final", 0)  # Django checks the mysqlclient version it emulates
    pymysql.install_as_MySQLdb()

from coldfront.config.settings import *  # noqa: E402

INSTALLED_APPS += ["coldfront_ecs_plugin"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file, as a ColdFront site on SQLite has (its default DB_URL is a SQLite file),
    # not pytest-django's in-memory shared-cache one: two connections then wait on each other's write lock
    # (up to the busy timeout, Python's default 5 s made explicit) instead of failing at once with
    # "database table is locked", so the concurrency tests run on SQLite too. One file per test process:
    # several checkouts may run the suite on one machine at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 5
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"ecs-plugin-test-db-{os.getpid()}.sqlite3")
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_ENABLED = False
Q_CLUSTER = {"name": "ecs-test", "sync": True, "orm": "default", "timeout": 60, "retry": 120}

ECS_USER = "admin"
ECS_PASS = "ChangeMe"
ECS_REQUEST_TIMEOUT = 5
# the session's simulator writes its CA here (see conftest.py)
ECS_VERIFY_SSL = os.path.join(tempfile.gettempdir(), f"ecs-plugin-test-ca-{os.getpid()}.pem")
