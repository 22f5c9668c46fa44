"""The demo's S3 and expiry steps: a member's key from the self-service page; an expired allocation frozen."""

from __future__ import annotations

import datetime
import re


def member_creates_key(username: str) -> None:
    """The member opens /ecs/s3/ and presses "Create a secret key", as in the browser (Django's test client)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from coldfront_ecs_plugin.services.s3_keys import served_rows

    client = Client()
    client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
    row = served_rows(User.objects.get(username=username)).first()
    if row is None:
        print(f"• {username} has no S3 user (is ECS_S3_USERS on?)")
        return
    page = client.get("/ecs/s3/").content.decode()
    print(
        f"• {username} opens /ecs/s3/: access key id {row.userid}, bucket {row.binding.bucket}, "
        f"{'no key yet' if 'ecs-no-key' in page else 'has a key'}"
    )
    response = client.post("/ecs/s3/", {"object_user": row.pk, "action": "create"})
    match = re.search(r'value="([^"]+)" id="ecs-secret-key"', response.content.decode())
    secret = match.group(1) if match else ""
    print(
        f"• {username} presses “Create a secret key” → HTTP {response.status_code}; the page answering the "
        f"POST shows a {len(secret)}-character key once (not printed here either)"
    )
    again = client.get("/ecs/s3/").content.decode()
    print(
        f"• {username} reloads /ecs/s3/: key on the page: {'yes (a bug!)' if secret and secret in again else 'no'}; "
        f"database rows holding it: {_rows_with(secret)}"
    )


def _rows_with(secret: str) -> int:
    from django.apps import apps
    from django.db import models

    count = 0
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and secret:
                count += model._default_manager.filter(**{f"{field.attname}__contains": secret}).count()
    return count


def expire_and_freeze(allocation) -> None:
    """ColdFront's daily ``update_statuses`` task expires the allocation; ECS_ON_EXPIRE = "freeze" acts on it."""
    from coldfront.core.allocation.tasks import update_statuses

    from coldfront_ecs_plugin import attributes
    from coldfront_ecs_plugin.models import ECSBinding

    type(allocation).objects.filter(pk=allocation.pk).update(
        end_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    update_statuses()
    allocation.refresh_from_db()
    binding = ECSBinding.objects.get(allocation_id=allocation.pk)
    print(
        f"• ColdFront's daily update_statuses task: allocation {allocation.pk} ({allocation.project.title}) is "
        f"{allocation.status.name}; its ECS storage is {binding.state} "
        f"(ECS Status: {allocation.get_attribute(attributes.ECS_STATUS)!r})"
    )
