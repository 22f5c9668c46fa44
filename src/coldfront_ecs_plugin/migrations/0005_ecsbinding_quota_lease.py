"""A quota change's lease on the binding (services/bindings): quota changes of one allocation run one at a
time, on every database, with no transaction open while ECS is called."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coldfront_ecs_plugin", "0004_ecs_report"),
    ]

    operations = [
        migrations.AddField(
            model_name="ecsbinding",
            name="quota_lease",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
