"""Run in a subprocess by the qcluster test: create the file database and the ColdFront side.

Argument: JSON ``{"resources": [{"name": ..., "url": ..., "allocations": [[namespace, bucket], ...]}]}``.
"""

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    from harness import sync as sync_helpers
    from harness.world import seed_defaults

    seed_defaults()
    sync_helpers.ensure_types()
    spec = json.loads(sys.argv[1])
    from coldfront.core.allocation.models import AllocationAttribute

    for item in spec["resources"]:
        resource = sync_helpers.make_resource(item["name"], item["url"])
        made = sync_helpers.make_allocations(resource, len(item["allocations"]), names=False)
        for alloc, (namespace, bucket) in zip(made, item["allocations"], strict=True):
            for name, value in (("Namespace", namespace), ("Bucket", bucket)):
                AllocationAttribute.objects.create(
                    allocation_id=alloc.pk, value=value, allocation_attribute_type=sync_helpers.attribute_type(name)
                )
    sync_helpers.bind_recorded()
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
