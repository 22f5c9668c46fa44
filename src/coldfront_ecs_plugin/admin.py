"""The binding in Django's admin: read-mostly, so an admin can see state and errors."""

from django.contrib import admin

from .models import ECSBinding


@admin.register(ECSBinding)
class ECSBindingAdmin(admin.ModelAdmin):
    list_display = ("allocation", "namespace", "bucket", "state", "cluster_id", "endpoint", "last_synced_at")
    list_filter = ("state", "resource")
    search_fields = ("namespace", "bucket", "allocation__project__title")
    readonly_fields = ("steps", "live_key", "created", "updated", "provisioned_at", "last_synced_at", "quota_lease")
