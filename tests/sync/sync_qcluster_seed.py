"""Run in a subprocess by the qcluster test: create the file database and the ColdFront side.

Argument: JSON ``{"resources": [{"name": ..., "url": ..., "allocations": [[namespace, bucket], ...]}]}``.
"""

import json
import os
import sys

import django


def main() -> None:
    django.setup()
    from coldfront.core.field_of_science.models import FieldOfScience
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    quiet = open(os.devnull, "w")  # noqa: SIM115
    for command in ("add_default_project_choices", "add_resource_defaults", "add_allocation_defaults"):
        call_command(command, stdout=quiet)
    FieldOfScience.objects.get_or_create(pk=149, defaults={"description": "Other"})
    import sync_helpers

    sync_helpers.ensure_types()
    spec = json.loads(sys.argv[1])
    from coldfront.core.allocation.models import AllocationAttribute

    for item in spec["resources"]:
        resource = sync_helpers.make_resource(item["name"], item["url"])
        made = sync_helpers.make_allocations(resource, len(item["allocations"]), names=False)
        for alloc, (namespace, bucket) in zip(made, item["allocations"], strict=True):
            for name, value in (("Namespace", namespace), ("Bucket", bucket)):
                AllocationAttribute.objects.create(allocation_id=alloc.pk, value=value,
                                                   allocation_attribute_type=sync_helpers.attribute_type(name))
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
