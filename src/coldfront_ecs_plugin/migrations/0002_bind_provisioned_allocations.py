"""Create bindings for allocations provisioned before bindings existed (they carry Namespace and Bucket).

Such an allocation becomes ``active`` on the resource whose ``url`` it was provisioned through; the
cluster id is filled in by the first ``ecs_sync``. A namespace recorded by two allocations on one
endpoint is bound to the first (lowest id) only; the other is left unlinked for ``ecs_link``.
"""

from django.db import migrations

from coldfront_ecs_plugin.migrations_support import bind_provisioned


def forwards(apps, schema_editor):
    bind_provisioned(apps)


class Migration(migrations.Migration):
    dependencies = [("coldfront_ecs_plugin", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
