"""Secret scanners for the reliability suite: every text value in the database, files on disk."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager


def every_text_in_database() -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-empty text-like value of every model (history tables included)."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models(include_auto_created=True):
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField, models.BinaryField))
        ]
        if not text_fields:
            continue
        try:
            rows = list(model._default_manager.values_list(*[f.attname for f in text_fields]))
        except Exception:  # a table of an app whose migrations are not applied in this test database
            continue
        for row in rows:
            for field, value in zip(text_fields, row, strict=True):
                if value not in (None, "", b""):
                    text = (
                        value.decode("latin-1")
                        if isinstance(value, (bytes, memoryview))
                        else (json.dumps(value) if not isinstance(value, str) else value)
                    )
                    found.append((model._meta.db_table, field.attname, text))
    return found


def files_containing(needles: list[str], roots: list[str], since: float) -> list[str]:
    """Files under ``roots`` modified at or after ``since`` that contain any of ``needles``."""
    raw = [n.encode() for n in needles if n]
    hits = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
            dirnames[:] = [d for d in dirnames if d not in (".venv", "node_modules", ".git")]
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    info = os.stat(path, follow_symlinks=False)
                    if info.st_mtime < since or info.st_size > 64 * 2**20 or not os.path.isfile(path):
                        continue
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if any(n in data for n in raw):
                    hits.append(path)
    return hits


class EveryLogLine(logging.Handler):
    """Every record of every logger at DEBUG, formatted with its arguments (what a site's log file could hold)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args) + repr(getattr(record, "__dict__", {})))


@contextmanager
def every_log_line() -> Iterator[EveryLogLine]:
    """Root and every known logger (urllib3 and requests included) at DEBUG, propagating to one handler;
    every level and flag is put back afterwards."""
    handler = EveryLogLine()
    root = logging.getLogger()
    saved = {
        name: (lg.level, lg.propagate, lg.disabled)
        for name, lg in logging.root.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    saved_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in [*saved, "urllib3", "urllib3.connectionpool", "requests"]:
        lg = logging.getLogger(name)
        lg.setLevel(logging.DEBUG)
        lg.propagate, lg.disabled = True, False
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for name, (level, propagate, disabled) in saved.items():
            lg = logging.getLogger(name)
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled
