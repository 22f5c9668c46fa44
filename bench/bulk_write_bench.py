"""The sync's bulk write: Django's ``bulk_update`` against ``services.bulk_write.case_update``.

    .venv/bin/python bench/bulk_write_bench.py --n 2000 10000
    .venv/bin/python bench/bulk_write_bench.py --n 2000 10000 --db-url psql://postgres@127.0.0.1:5432/perf_bulk

Builds N ``AllocationAttribute`` rows (the sync bench's database, in a temp SQLite file or the given,
empty, database), then sets ``value`` and ``modified`` of all N rows both ways (then again with one
history row per row: simple-history's ``bulk_update_with_history`` against ``history_snapshot``), each in a transaction
rolled back, best of ``--repeat``. Client CPU is this process's time (what the sync pays in Python);
wall includes the database server's work. ``bulk_update`` is timed from the (pk, value) pairs the
sync has, so building its model instances is part of its cost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def setup(db_url: str | None) -> None:
    if db_url:
        os.environ["BENCH_DB_URL"] = db_url
    else:
        os.environ["BENCH_DB"] = str(Path(tempfile.mkdtemp(prefix="ecs-bulk-bench-")) / "db.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    sys.path.insert(0, str(HERE))
    import django

    django.setup()


def timed(fn) -> tuple[float, float]:
    """(client CPU s, wall s) of ``fn`` in a transaction that is rolled back."""
    from django.db import transaction

    cpu0, wall0 = time.process_time(), time.perf_counter()
    with transaction.atomic():
        fn()
        transaction.set_rollback(True)
    return time.process_time() - cpu0, time.perf_counter() - wall0


def measure(n: int, repeat: int) -> dict:
    from coldfront.core.allocation.models import AllocationAttribute
    from django.utils import timezone

    from coldfront_ecs_plugin.services.bulk_write import BATCH_SIZE, case_update, history_snapshot

    pks = list(AllocationAttribute.objects.order_by("pk").values_list("pk", flat=True)[:n])
    assert len(pks) == n, f"only {len(pks)} rows"
    now = timezone.now()
    rows = [(pk, f"{pk % 97}.5") for pk in pks]

    def django_bulk_update() -> None:
        objs = [AllocationAttribute(pk=pk, value=value, modified=now) for pk, value in rows]
        AllocationAttribute.objects.bulk_update(objs, ["value", "modified"], batch_size=BATCH_SIZE)

    def raw_case() -> None:
        case_update(AllocationAttribute, "value", rows, {"modified": now})

    def django_with_history() -> None:
        from simple_history.utils import bulk_update_with_history

        objs = [AllocationAttribute(pk=pk, value=value, modified=now, created=now) for pk, value in rows]
        bulk_update_with_history(objs, AllocationAttribute, ["value", "modified"], batch_size=BATCH_SIZE)

    def raw_with_history() -> None:
        raw_case()
        history_snapshot(AllocationAttribute, pks, date=now, reason="bench")

    result = {}
    for name, fn in (
        ("bulk_update", django_bulk_update),
        ("case_update", raw_case),
        ("bulk_update_with_history", django_with_history),
        ("case_update+history_snapshot", raw_with_history),
    ):
        runs = [timed(fn) for _ in range(repeat)]
        result[name] = {"cpu_s": round(min(r[0] for r in runs), 3), "wall_s": round(min(r[1] for r in runs), 3)}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--db-url", help="an empty database (default: a temp SQLite file)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup(args.db_url)
    from django.db import connection

    from sync_bench import build_database

    build_database((max(args.n) + 3) // 4, ["https://127.0.0.1:1"])  # 4 attributes per allocation
    out = {"vendor": connection.vendor, "cpus": os.cpu_count(), "load": os.getloadavg()[0]}
    for n in args.n:
        out[str(n)] = measure(n, args.repeat)
        print(f"{connection.vendor} N={n}: {json.dumps(out[str(n)])}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
