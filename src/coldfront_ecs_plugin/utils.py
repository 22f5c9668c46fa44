"""``ECSResourceManager``: the reference plugin's entry points, kept as a thin facade.

It exists for sites migrating from the reference plugin whose scripts and shell sessions
call ``ECSResourceManager(resource).update_resource_usage()``, ``.change_namespace_quota(ns, tb)``
or ``.replication_group_id_from_name(name)``.  New code should call the services directly:
``services.provisioning``, ``services.quota`` and ``services.sync``.
"""

from __future__ import annotations

from . import conf
from .connections import client_for_resource


class ECSResourceManager:
    """ECS operations for one ColdFront resource (compatibility facade)."""

    def __init__(self, resource) -> None:
        self.resource = resource

    def update_resource_usage(self):
        """Refresh the resource's capacity_tb / used_tb / allocated_tb (delegates to the sync service)."""
        from .services.sync import update_resource_usage

        return update_resource_usage(self.resource)

    def change_namespace_quota(self, namespace: str, new_quota_tb: float):
        """Set the namespace quota and its bucket quota(s), and record it on the owning allocation if any."""
        from .services.quota import change_namespace_quota

        return change_namespace_quota(self.resource, namespace, float(new_quota_tb))

    def replication_group_id_from_name(self, name: str) -> str:
        """Id of the replication group with this name on the resource's ECS; ValueError if unknown."""
        name = (name or "").strip()
        if not name:
            raise ValueError("Replication group name cannot be empty.")
        with client_for_resource(self.resource, conf.load()) as client:
            return client.replication_group_id(name)
