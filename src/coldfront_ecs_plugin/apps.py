"""Django AppConfig: connects the signal receivers and registers the system checks."""

from django.apps import AppConfig


class ColdfrontEcsPluginConfig(AppConfig):
    name = "coldfront_ecs_plugin"
    verbose_name = "ColdFront ECS plugin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Wire up only the signals this ColdFront defines, so stock ColdFront and the FASRC fork both start."""
        from . import checks, compat, signals

        signals.connect_receivers()
        checks.register()
        compat.register()
