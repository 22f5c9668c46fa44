"""Builders and tools for the reliability suite (copied from tests/plugin and tests/sync, not imported).

Kept small on purpose: ColdFront objects wired to a simulator, the real approval / attribute-edit
views, ECS-state readers, a secret scanner and a tiny malformed-reply stub server.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from coldfront_ecs_plugin import attributes

_seq = itertools.count(1)
GIB = 2**30

NS_CREATE = "POST /object/namespaces/namespace"
NS_QUOTA = "PUT /object/namespaces/namespace/{namespace}/quota"
BUCKET_CREATE = "POST /object/bucket"
BUCKET_QUOTA = "PUT /object/bucket/{bucket}/quota"
VPOOLS = "GET /vdc/data-service/vpools"
LOGIN = "GET /login"


def start_simulator(ca_out, *args: str):
    """tests/conftest.py's ``start_simulator`` (conftest modules cannot be imported by name under importlib)."""
    import sys

    for module in list(sys.modules.values()):
        function = getattr(module, "start_simulator", None)
        if function is not None and function is not start_simulator and getattr(module, "SimulatorHandle", None):
            return function(ca_out, *args)
    raise RuntimeError("tests/conftest.py is not loaded")


@dataclass
class World:
    """ColdFront objects wired to a simulator, and ColdFront's own views driven as a superuser."""

    sim: object
    client: object
    admin: object

    def user(self, username: str | None = None):
        from django.contrib.auth.models import User

        return User.objects.create_user(username or f"relpi{next(_seq)}", password="x")

    def resource(self, name: str | None = None, *, url: str | None = None, replication_group: str | None = "rg1",
                 ldap_domain: str | None = "example.org"):
        from coldfront.core.resource.models import Resource, ResourceType

        resource = Resource.objects.create(name=name or f"ECS-rel-{next(_seq)}", description="ECS object storage",
                                           resource_type=ResourceType.objects.get(name="Storage"))
        values = {attributes.URL: url if url is not None else self.sim.host_port,
                  attributes.REPLICATION_GROUP: replication_group, attributes.LDAP_DOMAIN: ldap_domain}
        for key, value in values.items():
            if value is not None:
                set_resource_attr(resource, key, value)
        return resource

    def project(self, title: str, pi=None):
        from coldfront.core.field_of_science.models import FieldOfScience
        from coldfront.core.project.models import Project, ProjectStatusChoice

        return Project.objects.create(title=title, pi=pi or self.user(), description="A research project",
                                      field_of_science=FieldOfScience.objects.get(pk=149),
                                      status=ProjectStatusChoice.objects.get(name="Active"))

    def allocation(self, title: str = "Rel Lab", *, resource=None, status: str = "New", quantity: int = 1,
                   quota_tb: str | None = None, namespace: str | None = None, bucket: str | None = None,
                   project=None):
        from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

        allocation = Allocation.objects.create(project=project or self.project(title), quantity=quantity,
                                               status=AllocationStatusChoice.objects.get(name=status),
                                               justification="needed", is_changeable=True)
        allocation.resources.add(resource or self.resource())
        for name, value in ((attributes.QUOTA_TB, quota_tb), (attributes.NAMESPACE, namespace),
                            (attributes.BUCKET, bucket)):
            if value is not None:
                set_attr(allocation, name, value)
        return allocation

    def approve(self, allocation, action: str = "approve"):
        """POST the real approval form (AllocationDetailView) as a superuser; never a 500 page."""
        from coldfront.core.allocation.models import AllocationStatusChoice
        from django.urls import reverse

        today = datetime.date.today()
        data = {"status": AllocationStatusChoice.objects.get(name="Active").pk, "action": action,
                "start_date": today.isoformat(), "end_date": (today + datetime.timedelta(days=365)).isoformat(),
                "description": "", "is_changeable": "on"}
        response = self.client.post(reverse("allocation-detail", kwargs={"pk": allocation.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        allocation.refresh_from_db()
        return response

    def edit_attribute(self, allocation, name: str, value: str):
        """POST the real admin attribute-edit page, changing one attribute and keeping the others."""
        from django.urls import reverse

        rows = list(allocation.allocationattribute_set.select_related("allocation_attribute_type").order_by("pk"))
        data = {"attributeform-TOTAL_FORMS": len(rows), "attributeform-INITIAL_FORMS": len(rows),
                "attributeform-MIN_NUM_FORMS": 0, "attributeform-MAX_NUM_FORMS": len(rows)}
        for index, row in enumerate(rows):
            data[f"attributeform-{index}-value"] = value if row.allocation_attribute_type.name == name else row.value
        response = self.client.post(reverse("allocation-attribute-edit", kwargs={"pk": allocation.pk}), data)
        assert response.status_code == 302, response.content[:2000]
        return response

    def set_status(self, allocation, status: str) -> None:
        from coldfront.core.allocation.models import AllocationStatusChoice

        allocation.status = AllocationStatusChoice.objects.get(name=status)
        allocation.save()

    # -- ECS state ------------------------------------------------------------------------
    def state(self) -> dict:
        return self.sim.control("GET", "/_sim/state")

    def namespaces(self) -> list[str]:
        return sorted(self.state()["namespaces"])

    def buckets(self) -> dict[str, list[str]]:
        return {ns: sorted(b) for ns, b in self.state()["buckets"].items() if b}

    def fail(self, *endpoints: str, kinds=("500",)) -> None:
        """Make each named ECS endpoint fail every time with the given kinds."""
        self.sim.faults(endpoints={e: 1.0 for e in endpoints}, kinds=list(kinds))

    def ecs_client(self):
        from coldfront_ecs_plugin.ecs import ECSClient

        return ECSClient(self.sim.base_url, self.sim.user, self.sim.password, verify=self.sim.ca_path, timeout=10)


def set_resource_attr(resource, name: str, value: str) -> None:
    from coldfront_ecs_plugin.services import records

    records.set_resource_value(resource, name, value)


def set_attr(allocation, name: str, value: str) -> None:
    from coldfront_ecs_plugin.services import records

    records.set_value(allocation, name, value)


def attr(allocation, name: str):
    from coldfront_ecs_plugin.services import records

    return records.get_value(allocation, name)


def attr_names(allocation) -> list[str]:
    return sorted(allocation.allocationattribute_set.values_list("allocation_attribute_type__name", flat=True))


def notes(allocation) -> list[str]:
    return list(allocation.allocationadminnote_set.order_by("pk").values_list("note", flat=True))


def values(pk: int) -> dict[str, tuple[str, float | None]]:
    """attribute name → (value, usage or None) for one allocation."""
    from coldfront.core.allocation.models import AllocationAttribute

    out = {}
    for row in AllocationAttribute.objects.filter(allocation_id=pk).select_related("allocation_attribute_type"):
        usage = getattr(row, "allocationattributeusage", None)
        out[row.allocation_attribute_type.name] = (row.value, usage.value if usage else None)
    return out


def make_synced_allocations(resource, n: int, *, quota_tb: str = "1") -> list[tuple[int, str, str]]:
    """``n`` Active allocations with stored names and a quota value: (pk, namespace, bucket)."""
    from coldfront.core.allocation.models import Allocation, AllocationStatusChoice

    today = datetime.date.today()
    made = []
    for _ in range(n):
        i = next(_seq)
        allocation = Allocation.objects.create(
            project=World(None, None, None).project(f"Sync Lab {i}"), quantity=1, justification="t",
            status=AllocationStatusChoice.objects.get(name="Active"), start_date=today,
            end_date=today + datetime.timedelta(days=365))
        allocation.resources.add(resource)
        ns, bucket = f"rel-{i}", f"rel-{i}-bucket"
        for name, value in ((attributes.NAMESPACE, ns), (attributes.BUCKET, bucket), (attributes.QUOTA_TB, quota_tb)):
            set_attr(allocation, name, value)
        made.append((allocation.pk, ns, bucket))
    return made


def history_rows() -> int:
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage
    from coldfront.core.resource.models import ResourceAttribute

    return sum(m.history.count() for m in (AllocationAttribute, AllocationAttributeUsage, ResourceAttribute))


def reseed_defaults() -> None:
    """ColdFront's defaults, as the session fixture seeds them (a transactional test flushes them)."""
    from coldfront.core.field_of_science.models import FieldOfScience
    from django.core.management import call_command

    with open(os.devnull, "w") as devnull:
        for command in ("add_default_project_choices", "add_resource_defaults", "add_allocation_defaults"):
            call_command(command, stdout=devnull)
    FieldOfScience.objects.get_or_create(pk=149, defaults={"description": "Other"})


# -- secrets ------------------------------------------------------------------------------------
def every_text_in_database() -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-empty text-like value of every model (history tables included)."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models(include_auto_created=True):
        text_fields = [f for f in model._meta.concrete_fields
                       if isinstance(f, (models.CharField, models.TextField, models.JSONField, models.BinaryField))]
        if not text_fields:
            continue
        try:
            rows = list(model._default_manager.values_list(*[f.attname for f in text_fields]))
        except Exception:  # a table of an app whose migrations are not applied in this test database
            continue
        for row in rows:
            for field, value in zip(text_fields, row, strict=True):
                if value not in (None, "", b""):
                    text = value.decode("latin-1") if isinstance(value, (bytes, memoryview)) else (
                        json.dumps(value) if not isinstance(value, str) else value)
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


# -- a tiny ECS stub for malformed replies --------------------------------------------------------
class StubECS:
    """HTTP server on 127.0.0.1 answering /login with a token and chosen bodies for chosen paths.

    ``replies`` maps ``"METHOD /path"`` to ``(status, content_type, body)``; anything else is 404 JSON.
    """

    TOKEN = "STUB-TOKEN-0123456789"

    def __init__(self) -> None:
        self.replies: dict[str, tuple[int, str, str]] = {}
        self.seen: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                key = f"{self.command} {path}"
                stub.seen.append(key)
                if key == "GET /login":
                    self.send_response(200)
                    self.send_header("X-SDS-AUTH-TOKEN", stub.TOKEN)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if key == "GET /logout":
                    status, ctype, body = 200, "application/json", "{}"
                else:
                    status, ctype, body = stub.replies.get(
                        key, (404, "application/json", json.dumps({"code": 1004, "description": "not found",
                                                                   "details": path})))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
