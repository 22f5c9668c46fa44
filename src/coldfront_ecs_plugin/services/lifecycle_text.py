"""What ``ECS Status`` says about the lifecycle: short (an attribute value holds 128 characters),
with the detail left to the admin note written at the same time."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime

LIMIT = 128


def _day(iso: str | None) -> str:
    moment = parse_datetime(iso) if iso else None
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else "?"


def _base(binding) -> str:
    record = binding.lifecycle or {}
    if binding.state == "frozen":
        frozen = record.get("frozen") or {}
        return (
            f"frozen since {_day(frozen.get('at'))} ({frozen.get('status', '?')}): read-only, quota held at "
            f"{frozen.get('set_gb', '?')} GB"
        )
    if binding.state == "locked":
        locked = record.get("locked") or {}
        return f"locked since {_day(locked.get('at'))} ({locked.get('status', '?')}): bucket locked"
    if binding.state == "retired":
        return f"retired: removed from ECS on {_day(record.get('retired_at'))} by ecs_deprovision"
    return str(binding.state)


def describe(binding) -> str:
    """``ECS Status`` for a binding with a lifecycle state, a pending action or a failed one."""
    pending = (binding.lifecycle or {}).get("pending")
    text = _base(binding)
    if pending:
        action = pending.get("action", "?")
        if pending.get("error"):
            text += f"; {action} failed, retried by ecs_sync (see notes)"
        else:
            text += f"; {action} due {_day(pending.get('due'))} ({pending.get('status', '?')})"
    return text[:LIMIT]
