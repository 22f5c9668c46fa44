"""The staff page's records: the last sync/drift reports and the usage-alert state (issue 12)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0001_initial"),  # the first one: ColdFront 1.1.6 sites have fewer
        ("coldfront_ecs_plugin", "0003_lifecycle_and_object_users"),
    ]

    operations = [
        migrations.CreateModel(
            name="ECSReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(choices=[("sync", "ecs_sync"), ("reconcile", "ecs_reconcile")], max_length=16),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("ok", models.BooleanField(default=True)),
                ("summary", models.CharField(blank=True, default="", max_length=255)),
                ("data", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "verbose_name": "ECS report",
                "indexes": [models.Index(fields=["kind", "-created"], name="coldfront_e_kind_2b94ab_idx")],
            },
        ),
        migrations.CreateModel(
            name="ECSUsageAlert",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("percent", models.PositiveSmallIntegerField(default=0)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "allocation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ecs_usage_alert",
                        to="allocation.allocation",
                    ),
                ),
            ],
            options={
                "verbose_name": "ECS usage alert",
            },
        ),
    ]
