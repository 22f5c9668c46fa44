"""The plugin's own record of which ECS storage belongs to which allocation: the binding.

Why a model: who owns which namespace on which cluster, and how far provisioning got, must not
be re-derived from editable attributes or renamable titles. The ``Namespace``/``Bucket``
allocation attributes stay as the ColdFront-visible mirror; this row is the truth.
"""

from __future__ import annotations

from django.db import models


class BindingState:
    """The states of a binding (plain strings, so they compare and serialise as themselves)."""

    QUEUED = "queued"
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    FAILED = "failed"
    UNLINKED = "unlinked"
    #: lifecycle (issue 11): an Expired/Revoked/Denied allocation's storage held read-only
    FROZEN = "frozen"
    LOCKED = "locked"
    #: removed from ECS by ``ecs_deprovision``: kept as history, holds nothing
    RETIRED = "retired"
    values = [QUEUED, PROVISIONING, ACTIVE, FAILED, UNLINKED, FROZEN, LOCKED, RETIRED]
    CHOICES = [(name, name) for name in values]


#: states whose (cluster, namespace) pair is held: no other binding may take it
LIVE_STATES = (
    BindingState.QUEUED,
    BindingState.PROVISIONING,
    BindingState.ACTIVE,
    BindingState.FAILED,
    BindingState.FROZEN,
    BindingState.LOCKED,
)
#: provisioning finished: the namespace and bucket exist on ECS (a re-approval checks, never re-creates)
SETTLED_STATES = (BindingState.ACTIVE, BindingState.FROZEN, BindingState.LOCKED)


class ECSBinding(models.Model):
    """One allocation's ECS namespace and bucket on one cluster, with its provisioning progress."""

    allocation = models.OneToOneField(
        "allocation.Allocation", null=True, blank=True, on_delete=models.SET_NULL, related_name="ecs_binding"
    )
    resource = models.ForeignKey(
        "resource.Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="ecs_bindings"
    )
    endpoint = models.CharField(max_length=255, help_text="management endpoint base URL last used")
    cluster_id = models.CharField(
        max_length=255, blank=True, default="", help_text="the ECS cluster's local VDC id; empty until first read"
    )
    namespace = models.CharField(max_length=63)
    bucket = models.CharField(max_length=63)
    state = models.CharField(max_length=32, choices=BindingState.CHOICES, default=BindingState.PROVISIONING)
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
    #: lifecycle record (services/lifecycle): ``pending`` action, and what ``frozen``/``locked`` changed
    lifecycle = models.JSONField(default=dict, blank=True)
    #: when the pending lifecycle action is due (indexed: the scheduled sync looks it up)
    lifecycle_due = models.DateTimeField(null=True, blank=True, db_index=True)
    #: a quota change's lease (services/bindings): when the running change took the binding, NULL when none
    #: runs; stale after 2 x ECS_PROVISION_DEADLINE. Written only by the lease's own UPDATEs (see ``save``)
    quota_lease = models.DateTimeField(null=True, blank=True)

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

    def save(self, *args, **kwargs) -> None:
        """Save every field but ``quota_lease``: a binding read before a quota change began must not clear
        (or restore) that change's lease when it is saved later. A new row is inserted whole."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "quota_lease"
            ]
        super().save(*args, **kwargs)

    def has_step(self, name: str) -> bool:
        return any(step.get("step") == name for step in self.steps or [])

    def step_data(self, name: str) -> dict:
        return next((step for step in self.steps or [] if step.get("step") == name), {})


class ObjectUserState:
    """Plain strings (they compare and serialise as themselves)."""

    ACTIVE = "active"
    REMOVED = "removed"
    FAILED = "failed"
    #: the id is taken on ECS by an object user that is not the plugin's: never adopted
    CONFLICT = "conflict"
    values = [ACTIVE, REMOVED, FAILED, CONFLICT]
    choices = [(name, name) for name in values]


class ECSObjectUser(models.Model):
    """An ECS object user the plugin made for one member of one allocation (``ECS_S3_USERS``).

    Why a row: the plugin must know which object users are its own (never adopt or remove a
    stranger's), and staff must see who has S3 access. No secret is ever stored here.
    """

    binding = models.ForeignKey(ECSBinding, on_delete=models.CASCADE, related_name="object_users")
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="ecs_object_users"
    )
    username = models.CharField(max_length=150)
    userid = models.CharField(max_length=64, help_text="the ECS object user id (the S3 access key id)")
    namespace = models.CharField(max_length=63)
    state = models.CharField(max_length=16, choices=ObjectUserState.choices, default=ObjectUserState.ACTIVE)
    last_error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ECS object user"
        constraints = [models.UniqueConstraint(fields=["binding", "username"], name="ecs_object_user_per_member")]

    def __str__(self) -> str:
        return f"{self.userid} ({self.username}, {self.state})"


# the staff page's records (issue 12) live in their own module; imported here so Django registers them
from .report_models import ECSReport, ECSUsageAlert  # noqa: E402, F401
