"""The plugin's own record of which ECS storage belongs to which allocation: the binding.

Why a model: who owns which namespace on which cluster, and how far provisioning got, must not
be re-derived from editable attributes or renamable titles. The ``Namespace``/``Bucket``
allocation attributes stay as the ColdFront-visible mirror; this row is the truth.
"""

from __future__ import annotations

from django.db import models


class BindingState(models.TextChoices):
    QUEUED = "queued", "queued"
    PROVISIONING = "provisioning", "provisioning"
    ACTIVE = "active", "active"
    FAILED = "failed", "failed"
    UNLINKED = "unlinked", "unlinked"


#: states whose (cluster, namespace) pair is held: no other binding may take it
LIVE_STATES = (BindingState.QUEUED, BindingState.PROVISIONING, BindingState.ACTIVE, BindingState.FAILED)


class ECSBinding(models.Model):
    """One allocation's ECS namespace and bucket on one cluster, with its provisioning progress."""

    allocation = models.OneToOneField("allocation.Allocation", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="ecs_binding")
    resource = models.ForeignKey("resource.Resource", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="ecs_bindings")
    endpoint = models.CharField(max_length=255, help_text="management endpoint base URL last used")
    cluster_id = models.CharField(max_length=255, blank=True, default="",
                                  help_text="the ECS cluster's local VDC id; empty until first read")
    namespace = models.CharField(max_length=63)
    bucket = models.CharField(max_length=63)
    state = models.CharField(max_length=32, choices=BindingState.choices, default=BindingState.PROVISIONING)
    #: completed provisioning steps, in order, with what a rollback or restore needs (e.g. old quotas)
    steps = models.JSONField(default=list, blank=True)
    last_error = models.TextField(blank=True, default="")
    #: "<cluster or endpoint>|<namespace>" while live, NULL when unlinked: unique, so one live holder per pair
    #: on every database (MariaDB has no partial unique indexes)
    live_key = models.CharField(max_length=320, null=True, blank=True, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "ECS binding"
        indexes = [models.Index(fields=["state"]), models.Index(fields=["namespace"])]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.bucket} on {self.cluster_id or self.endpoint} ({self.state})"

    @staticmethod
    def key_for(cluster_id: str, endpoint: str, namespace: str) -> str:
        return f"{cluster_id or endpoint}|{namespace}"

    def refresh_live_key(self) -> None:
        live = self.state in LIVE_STATES
        self.live_key = self.key_for(self.cluster_id, self.endpoint, self.namespace) if live else None

    def has_step(self, name: str) -> bool:
        return any(step.get("step") == name for step in self.steps or [])

    def step_data(self, name: str) -> dict:
        return next((step for step in self.steps or [] if step.get("step") == name), {})


# the staff page's records (issue 12) live in their own module; imported here so Django registers them
from .report_models import ECSReport, ECSUsageAlert  # noqa: E402, F401
