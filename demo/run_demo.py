"""`make demo`: the plugin end to end on this machine, with no ECS and no ColdFront install.

Starts the ECS simulator, builds a SQLite ColdFront, approves three storage requests through
ColdFront's real approval view (so the plugin provisions them on the simulator), approves a
quota change through the real change-request view, writes usage into the simulator, runs
``ecs_sync`` and prints what ColdFront now shows. Then a lab member creates an S3 secret key on
the self-service page (``/ecs/s3/``), and ColdFront's daily task expires an allocation, which the
plugin freezes (``ECS_ON_EXPIRE = "freeze"``). Everything lives in ./demo-run/.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import requests

from s3_demo import expire_and_freeze, member_creates_key

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "demo-run"
DB = RUN / "coldfront.sqlite3"
CA = RUN / "ecs-simulator-ca.pem"
LOCAL_SETTINGS = RUN / "local_settings.py"
LOCAL_URLS = RUN / "local_urls.py"  # mounts the plugin's pages at /ecs/ (ColdFront 1.1.8+: COLDFRONT_URLS)
SITE_TEMPLATES = RUN / "site_templates"  # the allocation page's S3 link (see the README, "S3 access for members")
S3_ENDPOINT = "https://s3.ecs.example.org:9021"
MEMBER = "emember"  # a lab member of the first project, who gets an S3 user
ADMIN_PASSWORD = "demo-admin"  # a throwaway demo login, printed below on purpose

PROJECTS = [
    # (title, pi, quota TB, usage bytes)
    ("Smith Lab: Genomics", "asmith", 10.0, 3 * 2**40 + 512 * 2**30),
    ("Müller Imaging Group", "bmuller", 5.0, 4 * 2**40),
    ("Data Science Core", "cdata", 2.5, 200 * 2**30),
    # a title with nothing usable for an ECS name: refused, rolled back, explained in an admin note
    ("🔬🧫", "dlab", 1.0, 0),
]


def start_simulator() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecs_simulator", "--port", "0", "--ca-out", str(CA)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("listening on "):
        proc.kill()
        sys.exit(f"the ECS simulator did not start: {line!r}")
    return proc, line.removeprefix("listening on ")


def configure_django(base_url: str) -> None:
    LOCAL_SETTINGS.write_text(
        "# written by `make demo`: enables the plugin in a stock ColdFront\n"
        "INSTALLED_APPS += ['coldfront_ecs_plugin']\n"
        "ECS_USER = 'admin'\n"
        "ECS_PASS = 'ChangeMe'  # the simulator's default management login\n"
        f"ECS_VERIFY_SSL = {str(CA)!r}\n"
        "EMAIL_ENABLED = False\n"
        "ECS_S3_USERS = True  # an S3 user for each member of a provisioned allocation\n"
        "ECS_ON_EXPIRE = 'freeze'  # an expired allocation's storage: readable, nothing new written\n"
    )
    LOCAL_URLS.write_text(
        "from django.urls import include, path\n\nurlpatterns += [path('ecs/', include('coldfront_ecs_plugin.urls'))]\n"
    )
    shutil.copytree(ROOT / "src" / "coldfront_ecs_plugin" / "site_templates", SITE_TEMPLATES)
    os.environ.update(
        {
            "COLDFRONT_URLS": str(LOCAL_URLS),
            "SITE_TEMPLATES": str(SITE_TEMPLATES),
            "DJANGO_SETTINGS_MODULE": "coldfront.config.settings",
            "COLDFRONT_CONFIG": str(LOCAL_SETTINGS),
            "DB_URL": f"sqlite:///{DB}",
            "SECRET_KEY": "demo-only-not-secret",
            "DEBUG": "True",
        }
    )
    import django

    django.setup()


def quiet_call(*args, **kwargs) -> None:
    from django.core.management import call_command

    with open(os.devnull, "w") as devnull:
        call_command(*args, stdout=devnull, stderr=devnull, **kwargs)


def build_coldfront(base_url: str):
    from coldfront.core.allocation.models import (
        Allocation,
        AllocationAttribute,
        AllocationAttributeType,
        AllocationStatusChoice,
        AllocationUser,
        AllocationUserStatusChoice,
    )
    from coldfront.core.project.models import (
        Project,
        ProjectStatusChoice,
        ProjectUser,
        ProjectUserRoleChoice,
        ProjectUserStatusChoice,
    )
    from coldfront.core.resource.models import Resource, ResourceAttribute, ResourceAttributeType, ResourceType
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from coldfront_ecs_plugin import attributes

    print("• migrating a fresh ColdFront database and loading its defaults …")
    for command in (
        "migrate",
        "import_field_of_science_data",
        "add_default_grant_options",
        "add_default_project_choices",
        "add_resource_defaults",
        "add_allocation_defaults",
    ):
        quiet_call(command)
    print("• manage.py ecs_setup")
    call_command("ecs_setup")

    admin = User.objects.create_superuser("admin", "admin@example.org", ADMIN_PASSWORD)
    resource = Resource.objects.create(
        name="ECS Object Storage",
        description="Dell EMC ECS (simulated)",
        resource_type=ResourceType.objects.get(name="Storage"),
    )
    for name, value in (
        (attributes.URL, base_url.removeprefix("https://")),
        (attributes.REPLICATION_GROUP, "rg1"),
        (attributes.S3_ENDPOINT, S3_ENDPOINT),
    ):
        ResourceAttribute.objects.create(
            resource=resource,
            value=value,
            resource_attribute_type=ResourceAttributeType.objects.get(name=name),
        )
    quota_type = AllocationAttributeType.objects.get(name=attributes.QUOTA_TB)
    allocations = []
    for title, username, quota_tb, _usage in PROJECTS:
        pi = User.objects.create_user(username, f"{username}@example.org", "demo", first_name=username[1:].title())
        project = Project.objects.create(
            title=title,
            pi=pi,
            description=f"{title}: demo project for the ECS plugin.",
            status=ProjectStatusChoice.objects.get(name="Active"),
        )
        allocation = Allocation.objects.create(
            project=project,
            status=AllocationStatusChoice.objects.get(name="New"),
            quantity=1,
            justification="Object storage for the lab",
            is_changeable=True,
        )
        allocation.resources.add(resource)
        # the PI manages the project and uses the allocation, so they can see its usage gauges
        ProjectUser.objects.create(
            project=project,
            user=pi,
            role=ProjectUserRoleChoice.objects.get(name="Manager"),
            status=ProjectUserStatusChoice.objects.get(name="Active"),
        )
        AllocationUser.objects.create(
            allocation=allocation, user=pi, status=AllocationUserStatusChoice.objects.get(name="Active")
        )
        AllocationAttribute.objects.create(
            allocation=allocation, allocation_attribute_type=quota_type, value=str(quota_tb)
        )
        allocations.append(allocation)
    add_member(allocations[0], User.objects.create_user(MEMBER, f"{MEMBER}@example.org", "demo"))
    return admin, resource, allocations


def add_member(allocation, user) -> None:
    """A lab member on the project and the allocation (before approval: provisioning gives them an S3 user)."""
    from coldfront.core.allocation.models import AllocationUser, AllocationUserStatusChoice
    from coldfront.core.project.models import ProjectUser, ProjectUserRoleChoice, ProjectUserStatusChoice

    ProjectUser.objects.create(
        project=allocation.project,
        user=user,
        role=ProjectUserRoleChoice.objects.get(name="User"),
        status=ProjectUserStatusChoice.objects.get(name="Active"),
    )
    AllocationUser.objects.create(
        allocation=allocation, user=user, status=AllocationUserStatusChoice.objects.get(name="Active")
    )


def approve_through_coldfront(admin, allocations) -> None:
    """POST the admin's Approve button: ColdFront's own view sends allocation_activate."""
    from coldfront.core.allocation.models import AllocationStatusChoice
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    active = AllocationStatusChoice.objects.get(name="Active")
    for allocation in allocations:
        response = client.post(
            reverse("allocation-detail", kwargs={"pk": allocation.pk}),
            {
                "status": active.pk,
                "action": "approve",
                "is_changeable": "on",
                "end_date": (datetime.date.today() + datetime.timedelta(days=365)).isoformat(),
            },
        )
        print(f"• approved allocation {allocation.pk} ({allocation.project.title}) → HTTP {response.status_code}")


def approve_quota_change(admin, allocation, new_tb: float) -> None:
    """A PI's change request, approved through ColdFront's change-request view."""
    from coldfront.core.allocation.models import (
        AllocationAttributeChangeRequest,
        AllocationChangeRequest,
        AllocationChangeStatusChoice,
    )
    from django.test import Client
    from django.urls import reverse

    from coldfront_ecs_plugin import attributes

    quota = allocation.allocationattribute_set.get(allocation_attribute_type__name=attributes.QUOTA_TB)
    change = AllocationChangeRequest.objects.create(
        allocation=allocation,
        status=AllocationChangeStatusChoice.objects.get(name="Pending"),
        justification="More imaging data this year",
        end_date_extension=0,
    )
    AllocationAttributeChangeRequest.objects.create(
        allocation_change_request=change, allocation_attribute=quota, new_value=str(new_tb)
    )
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("allocation-change-detail", kwargs={"pk": change.pk}),
        {
            "action": "approve",
            "end_date_extension": 0,
            "notes": "",
            "attributeform-TOTAL_FORMS": 1,
            "attributeform-INITIAL_FORMS": 1,
            "attributeform-MIN_NUM_FORMS": 0,
            "attributeform-MAX_NUM_FORMS": 1,
            "attributeform-0-new_value": str(new_tb),
        },
    )
    print(
        f"• approved a quota change for allocation {allocation.pk}: {quota.value} → {new_tb} TB "
        f"→ HTTP {response.status_code}"
    )


def write_usage(base_url: str, allocations) -> None:
    from coldfront_ecs_plugin import attributes

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
    for allocation, (_title, _pi, _tb, usage) in zip(allocations, PROJECTS, strict=True):
        namespace = allocation.get_attribute(attributes.NAMESPACE)
        bucket = allocation.get_attribute(attributes.BUCKET)
        if not namespace:
            continue
        session.post(
            f"{base_url}/_sim/usage",
            json={"namespace": namespace, "bucket": bucket, "size_bytes": usage, "objects": usage // (8 * 2**20)},
            timeout=10,
            verify=str(CA),
        ).raise_for_status()
    session.post(
        f"{base_url}/_sim/capacity",
        json={"total_provisioned_gb": 512_000, "total_free_gb": 371_200},
        timeout=10,
        verify=str(CA),
    ).raise_for_status()


def print_table(resource, allocations) -> None:
    from coldfront.core.allocation.models import AllocationAdminNote

    from coldfront_ecs_plugin import attributes

    rows = [("allocation", "project", "status", "namespace", "bucket", "quota TB", "used TB", "used %")]
    for allocation in allocations:
        allocation.refresh_from_db()
        quota = allocation.allocationattribute_set.filter(allocation_attribute_type__name=attributes.QUOTA_TB).first()
        used = getattr(quota, "allocationattributeusage", None) if quota else None
        quota_tb = float(quota.value) if quota else 0.0
        used_tb = used.value if used else 0.0
        rows.append(
            (
                str(allocation.pk),
                allocation.project.title,
                allocation.status.name,
                allocation.get_attribute(attributes.NAMESPACE) or "-",
                allocation.get_attribute(attributes.BUCKET) or "-",
                f"{quota_tb:g}",
                f"{used_tb:.3f}",
                f"{100 * used_tb / quota_tb:.1f}" if quota_tb else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print()
    capacity = {
        name: resource.get_attribute(name)
        for name in (attributes.CAPACITY_TB, attributes.USED_TB, attributes.ALLOCATED_TB)
    }
    print(f"resource {resource.name!r}: " + ", ".join(f"{k} = {v}" for k, v in capacity.items()))
    for note in AllocationAdminNote.objects.filter(allocation__in=allocations):
        print(f"admin note on allocation {note.allocation_id}: {note.note}")


def print_ecs(base_url: str) -> None:
    """What ECS holds now, read with the plugin's own client (one login, then logout)."""
    from coldfront_ecs_plugin.ecs import ECSClient

    print("\nwhat the (simulated) ECS holds, read with coldfront_ecs_plugin.ecs.ECSClient:")
    with ECSClient(base_url, "admin", "ChangeMe", verify=str(CA)) as ecs:
        for namespace in ecs.list_namespaces():
            quota = ecs.get_namespace_quota(namespace.name)
            for bucket in ecs.list_buckets(namespace.name):
                usage = ecs.get_bucket_usage(namespace.name, bucket.name)
                bucket_quota = bucket.quota.block_size_gb if bucket.quota else "-"
                print(
                    f"  namespace {namespace.name}: quota {quota.block_size_gb} GB "
                    f"(notify at {quota.notification_size_gb} GB); bucket {bucket.name}: quota {bucket_quota} GB, "
                    f"{usage.size_bytes} bytes in {usage.objects} objects"
                )
        print(f"  ({ecs.request_count} HTTP requests, one login)")


def main() -> int:
    if RUN.exists():
        shutil.rmtree(RUN)
    RUN.mkdir()
    simulator, base_url = start_simulator()
    try:  # whatever fails below, the simulator is stopped (a leaked one keeps this process's pipe open)
        print(f"• ECS simulator listening on {base_url} (CA in {CA.relative_to(ROOT)})")
        configure_django(base_url)
        from django.core.management import call_command

        admin, resource, allocations = build_coldfront(base_url)
        print("• manage.py ecs_check")
        call_command("ecs_check")
        approve_through_coldfront(admin, allocations)
        approve_quota_change(admin, allocations[1], 8.0)
        write_usage(base_url, allocations)
        print("• manage.py ecs_sync")
        call_command("ecs_sync")
        print("• manage.py ecs_reconcile (the drift report the staff page shows)")
        with contextlib.suppress(SystemExit):  # exit status 1 means drift found: shown, not fatal
            call_command("ecs_reconcile")
        print_table(resource, allocations)
        member_creates_key(MEMBER)
        expire_and_freeze(allocations[2])
        print_ecs(base_url)
    finally:
        simulator.send_signal(signal.SIGTERM)
        simulator.wait(timeout=10)
    env = (
        f"COLDFRONT_CONFIG={LOCAL_SETTINGS} COLDFRONT_URLS={LOCAL_URLS} SITE_TEMPLATES={SITE_TEMPLATES} "
        f"DB_URL=sqlite:///{DB} SECRET_KEY=demo-only-not-secret DEBUG=True"
    )
    print(f"""
See the same data in ColdFront's web UI (usage gauges on each allocation page):

    {env} \\
        {ROOT / ".venv/bin/coldfront"} runserver 127.0.0.1:8000

then log in at http://127.0.0.1:8000/user/login as admin / {ADMIN_PASSWORD} (or as a PI: asmith / demo) and
open http://127.0.0.1:8000/allocation/{allocations[0].pk}/; allocation {allocations[-1].pk} shows why it was refused
(the simulator is stopped; the pages only read the database).

Staff page (capacity chart, bindings, drift report, usage CSV), as admin: http://127.0.0.1:8000/ecs/
S3 access page, as the lab member {MEMBER} / demo (or any PI): http://127.0.0.1:8000/ecs/s3/
(with the simulator stopped it says ECS cannot be reached; run `make demo` again to start over).""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
