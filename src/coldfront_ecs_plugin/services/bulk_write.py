"""The sync's bulk writes: many rows' values in few statements, and their history rows.

Why not only Django's helpers: ``bulk_update`` builds and resolves one ``When`` expression per row,
and django-simple-history's ``bulk_history_create`` one model instance per row, which cost more CPU
than everything else in a 50,000-allocation sync (see the README, "Performance"). Both raw
statements here are built from the models' metadata, chunked to the database's real parameter
limit (SQLite's own, read from the library; Django's feature flags are left alone), and fall back to
Django's helpers where their assumptions do not hold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from django.db import connection

#: rows per statement where the database has no parameter limit of its own
BATCH_SIZE = 5000
#: rows per CASE update: the database tests each row against the WHEN list in turn, so a chunk costs
#: O(rows x chunk); 20,000 rows on SQLite took 0.13 s in chunks of 5,000, 0.046 s of 1,000, 0.035 s of 500
CASE_BATCH = 1000
#: SQLite's compile-time default before 3.32 (and the floor when the library cannot be asked)
SQLITE_OLD_LIMIT = 999


def parameter_limit() -> int | None:
    """Bound parameters one statement may carry on this connection; None when unlimited.

    SQLite: the library's ``SQLITE_LIMIT_VARIABLE_NUMBER`` (32766 since 3.32, 999 before), read
    from the connection (Python 3.11+) rather than Django's ``max_query_params`` (a fixed 999).
    """
    if connection.vendor != "sqlite":
        return connection.features.max_query_params
    connection.ensure_connection()
    raw = connection.connection
    if hasattr(raw, "getlimit"):
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))  # type: ignore[attr-defined]
    return 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else SQLITE_OLD_LIMIT


def chunk_size(per_row: int, fixed: int = 0, most: int | None = None) -> int:
    """Rows per statement: ``most`` (default ``BATCH_SIZE``) within the connection's parameter limit."""
    most = BATCH_SIZE if most is None else most
    limit = parameter_limit()
    if limit is None:
        return most
    return max(1, min(most, (limit - fixed) // per_row))


def case_update(model: Any, field: str, rows: Sequence[tuple[int, Any]], constants: dict[str, Any]) -> None:
    """``UPDATE t SET field = CASE pk WHEN .. THEN .. END, c = %s WHERE pk IN (..)`` per chunk.

    ``rows`` are (pk, value) pairs; ``constants`` are fields set to one value on every row (the
    sync's ``modified``). Measured against ``bulk_update(objs, ["value", "modified"])`` on
    ``AllocationAttribute`` (bench/bulk_write_bench.py; 2 cores, load 2.2; best of 3), client CPU /
    wall, ``bulk_update`` including the model instances it needs:

        N        SQLite: bulk_update   this               PostgreSQL: bulk_update   this
        2,000    0.40 s / 0.40 s       0.005 s / 0.006 s  0.40 s / 0.45 s           0.006 s / 0.027 s
        10,000   2.26 s / 2.32 s       0.024 s / 0.027 s  2.82 s / 8.08 s           0.026 s / 0.131 s

    A clear win on both (~80x CPU; wall 60-85x on SQLite, 16-60x on PostgreSQL), so kept for both;
    other databases (MariaDB) get Django's own ``bulk_update``.
    """
    if not rows:
        return
    meta = model._meta
    if connection.vendor not in ("sqlite", "postgresql"):
        objs = [model(pk=pk, **{field: value}, **constants) for pk, value in rows]
        model._default_manager.bulk_update(objs, [field, *constants], batch_size=BATCH_SIZE)
        return
    qn = connection.ops.quote_name
    column = meta.get_field(field)
    pk = qn(meta.pk.column)
    sets = [f"{qn(meta.get_field(name).column)} = %s" for name in constants]
    fixed = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in constants.items()]
    size = chunk_size(3, len(fixed), min(CASE_BATCH, BATCH_SIZE))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params: list[Any] = []
            for key, value in batch:
                params += (key, column.get_db_prep_save(value, connection))
            params += fixed
            params += [key for key, _value in batch]
            whens = " ".join(["WHEN %s THEN %s"] * len(batch))
            marks = ", ".join(["%s"] * len(batch))
            assignments = ", ".join([f"{qn(column.column)} = CASE {pk} {whens} END", *sets])
            cursor.execute(f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {pk} IN ({marks})", params)


def _tracked_fields(history: Any) -> list[Any]:
    """The history model's copies of the tracked model's fields.

    Newer simple-history releases list them as ``tracked_fields``; 3.2 (ColdFront 1.1.4's pin) does not, and
    they are then the history model's fields named as the tracked model's own, ``history_*`` aside.
    """
    tracked = getattr(history, "tracked_fields", None)
    if tracked is not None:
        return list(tracked)
    names = {f.name for f in history.instance_type._meta.concrete_fields}
    return [f for f in history._meta.concrete_fields if f.name in names and not f.name.startswith("history_")]


def _history_params(history: Any, date: Any, reason: str, history_type: str) -> dict[str, Any] | None:
    """The values of the history model's own columns, by attname; None when it has columns this
    module does not know (a custom history model: then simple-history's own bulk helper is used)."""
    user = history.get_default_history_user(history.instance_type())
    known = {
        "history_date": date,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    tracked = {field.attname for field in _tracked_fields(history)}
    own = [f.attname for f in history._meta.concrete_fields if f.attname not in tracked and not f.primary_key]
    if not history._meta.pk.get_internal_type().endswith("AutoField") or set(own) - set(known):
        return None
    return {name: known[name] for name in own}


def history_snapshot(model: Any, pks: Sequence[int], *, date: Any, reason: str, history_type: str = "~") -> int:
    """One history row per pk, copied from the row as it now is: ``INSERT … SELECT`` per chunk.

    Equal to ``bulk_history_create`` on the objects just written (their values are the rows'), without
    building a history model instance per row. Returns the number of rows written. With the update
    (bench/bulk_write_bench.py, same machine), against simple-history's ``bulk_update_with_history``,
    client CPU: N = 2,000: 0.46 s vs 0.007 s (SQLite), 0.46 s vs 0.009 s (PostgreSQL); N = 10,000:
    3.0 s vs 0.038 s (SQLite), 3.1 s vs 0.035 s (PostgreSQL).
    """
    from django.conf import settings

    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    history = model.history.model
    own = _history_params(history, date, reason, history_type)
    if own is None:
        return _history_fallback(model, pks, date, reason, history_type)
    qn = connection.ops.quote_name
    meta, hmeta = model._meta, history._meta
    tracked = [(hmeta.get_field(f.name).column, meta.get_field(f.name).column) for f in _tracked_fields(history)]
    columns = ", ".join(qn(c) for c in [*(h for h, _c in tracked), *(hmeta.get_field(n).column for n in own)])
    selected = ", ".join([*(qn(c) for _h, c in tracked), *(["%s"] * len(own))])
    fixed = [hmeta.get_field(name).get_db_prep_save(value, connection) for name, value in own.items()]
    size = chunk_size(1, len(fixed))
    with connection.cursor() as cursor:
        for start in range(0, len(pks), size):
            batch = list(pks[start : start + size])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {qn(hmeta.db_table)} ({columns}) SELECT {selected} FROM {qn(meta.db_table)} "
                f"WHERE {qn(meta.pk.column)} IN ({marks})",
                [*fixed, *batch],
            )
    return len(pks)


def _history_fallback(model: Any, pks: Sequence[int], date: Any, reason: str, history_type: str) -> int:
    """simple-history's own bulk helper on the rows read back (a history model with custom columns)."""
    objs: list = []
    size = chunk_size(1)
    for start in range(0, len(pks), size):
        objs += model._default_manager.filter(pk__in=pks[start : start + size])
    model.history.bulk_history_create(
        objs, batch_size=BATCH_SIZE, update=history_type == "~", default_change_reason=reason, default_date=date
    )
    return len(objs)
