"""What an ``ecs_sync`` run found and did: plain data, shared by the service, the command and the tasks.

Every changed value is a ``Change`` (old → new), every skipped item a ``Failure`` with the reason an
admin can act on; nothing is overwritten silently and nothing fails silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Change:
    """One value that differs between ECS and ColdFront (written unless dry run)."""

    target: str  # "allocation" or "resource"
    target_id: int
    name: str  # attribute name; "usage of <attribute>" for a usage value
    old: str | None
    new: str
    namespace: str | None = None
    bucket: str | None = None

    def describe(self) -> str:
        where = f"allocation {self.target_id}" if self.target == "allocation" else f"resource {self.target_id}"
        if self.namespace:
            where += f" ({self.namespace}/{self.bucket})"
        return f"{where}: {self.name}: {self.old if self.old is not None else '(none)'} -> {self.new}"


@dataclass(slots=True)
class Failure:
    """Something that could not be read or written; the old value was kept."""

    reason: str
    allocation_id: int | None = None
    namespace: str | None = None
    bucket: str | None = None

    def describe(self) -> str:
        if self.allocation_id is None:
            return self.reason
        names = f" ({self.namespace}/{self.bucket})" if self.namespace else ""
        return f"allocation {self.allocation_id}{names}: {self.reason}"


@dataclass
class ResourceReport:
    """The outcome for one ColdFront resource."""

    resource_id: int
    name: str
    endpoint: str | None = None
    allocations: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # allocations not synced, skipped ones included
    skipped: int = 0  # of which not read at all: the endpoint was unresponsive (one failure line for all)
    skipped_allocation_ids: list[int] = field(default_factory=list)  # which ones, for monitoring and re-runs
    changes: list[Change] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resource_failed: bool = False
    history_rows: int = 0
    allocated_tb: float | None = None  # every namespace quota on the endpoint
    allocated_bound_tb: float | None = None  # the part held by this resource's ColdFront bindings

    @property
    def ok(self) -> bool:
        return not self.failures and not self.resource_failed

    def fail(self, reason: str) -> None:
        """A failure of the resource itself (no url, ECS unreachable, capacity unreadable...)."""
        self.resource_failed = True
        self.failures.append(Failure(reason))

    def rolled_back(self, reason: str) -> None:
        """The resource's writes were rolled back: nothing planned for it was written, every allocation failed."""
        self.updated = self.unchanged = self.history_rows = 0
        self.changes = []
        self.failed = self.allocations
        self.fail(reason)

    def to_dict(self, *, with_changes: bool = True) -> dict[str, Any]:
        data = {
            "resource_id": self.resource_id,
            "name": self.name,
            "endpoint": self.endpoint,
            "allocations": self.allocations,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "skipped": self.skipped,
            "skipped_allocation_ids": list(self.skipped_allocation_ids),
            "resource_failed": self.resource_failed,
            "history_rows": self.history_rows,
            "failures": [asdict(f) for f in self.failures],
            "notes": list(self.notes),
            "allocated_tb": self.allocated_tb,
            "allocated_bound_tb": self.allocated_bound_tb,
        }
        if with_changes:
            data["changes"] = [asdict(c) for c in self.changes]
        else:
            data["changes_count"] = len(self.changes)
        return data


@dataclass
class SyncReport:
    """The outcome of one run over several resources."""

    dry_run: bool = False
    resources: list[ResourceReport] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)  # not tied to one resource (unknown --resource)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)  # base URL -> request statistics
    #: Active allocations on ECS resources without a binding: listed, not failures
    unlinked: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # run-level notes (recovered provisioning runs)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.resources)

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.resources)

    @property
    def failed(self) -> int:
        """Failure lines: one per failed allocation, per resource-level failure (the allocations an
        unresponsive endpoint skipped are one) and per run-level failure; what ``ecs_sync`` prints."""
        return len(self.all_failures())

    @property
    def skipped(self) -> int:
        return sum(r.skipped for r in self.resources)

    @property
    def usage_uptodate_till(self) -> str | None:
        """The oldest billing sample any endpoint answered with (ISO 8601): how far usage may lag."""
        found = [e["usage_uptodate_till"] for e in self.endpoints.values() if e.get("usage_uptodate_till")]
        return min(found) if found else None

    @property
    def ok(self) -> bool:
        return not self.failures and all(r.ok for r in self.resources)

    @property
    def history_rows(self) -> int:
        return sum(r.history_rows for r in self.resources)

    @property
    def usage_age_s(self) -> float | None:
        ages = [e["usage_age_s"] for e in self.endpoints.values() if e.get("usage_age_s") is not None]
        return max(ages) if ages else None

    def all_failures(self) -> list[tuple[str, Failure]]:
        found = [("", f) for f in self.failures]
        for resource in self.resources:
            found.extend((resource.name, f) for f in resource.failures)
        return found

    def to_dict(self, *, with_changes: bool = True) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "ok": self.ok,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "skipped": self.skipped,
            "history_rows": self.history_rows,
            "usage_uptodate_till": self.usage_uptodate_till,
            "usage_age_s": self.usage_age_s,
            "failures": [{"resource": name or None, **asdict(f)} for name, f in self.all_failures()],
            "endpoints": self.endpoints,
            "unlinked": list(self.unlinked),
            "notes": list(self.notes),
            "resources": [r.to_dict(with_changes=with_changes) for r in self.resources],
        }
