"""Run in a subprocess by the killed-worker test: a ColdFront process on a SQLite file.

``provision URL``: seed the database, make an Active allocation on an ECS resource at URL and provision it
(the parent kills this process while an ECS call hangs). ``recover``: time passes (the binding's last
progress is an hour old), then ``ecs_sync`` runs as cron would; prints a JSON summary.
"""

import contextlib
import datetime
import io
import json
import sys

import django


def provision(url: str) -> None:
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    from harness.world import World, seed_defaults

    seed_defaults()
    from coldfront_ecs_plugin.services import provisioning
    from coldfront_ecs_plugin.services.setup import ensure_attribute_types

    ensure_attribute_types()
    world = World(sim=None, client=None, admin=None)
    resource = world.resource("ECS killed", url=url)
    allocation = world.allocation("Killed Lab", resource=resource, status="Active", quota_tb="1")
    print(json.dumps({"allocation": allocation.pk}), flush=True)
    provisioning.provision(allocation.pk)


def recover() -> None:
    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from coldfront_ecs_plugin.models import ECSBinding

    ECSBinding.objects.update(updated=timezone.now() - datetime.timedelta(hours=1))
    out = io.StringIO()
    with contextlib.suppress(CommandError):  # exit status 1 is fine: the JSON says what happened
        call_command("ecs_sync", "--json", stdout=out)
    binding = ECSBinding.objects.get()
    print(
        json.dumps(
            {
                "state": binding.state,
                "steps": [s["step"] for s in binding.steps],
                "error": binding.last_error,
                "sync": json.loads(out.getvalue()),
            }
        )
    )


if __name__ == "__main__":
    django.setup()
    provision(sys.argv[2]) if sys.argv[1] == "provision" else recover()
