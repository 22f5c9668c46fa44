"""Cluster-wide reads: capacity, the local VDC's identity, replication groups."""

from __future__ import annotations

from . import parse
from .errors import ECSNotFound
from .models import VDC, Capacity, ReplicationGroup
from .transport import Transport
from .util import seg


class ClusterOps(Transport):
    def get_capacity(self) -> Capacity:
        return self._get("/object/capacity", parse.parse_capacity)

    def local_vdc(self) -> VDC:
        """The local VDC (``GET /object/vdcs/vdc/local``): tells which cluster an endpoint reaches."""
        return self._get("/object/vdcs/vdc/local", parse.parse_vdc)

    def list_replication_groups(self) -> list[ReplicationGroup]:
        return self._get("/vdc/data-service/vpools", parse.parse_replication_groups)

    def get_replication_group(self, group_id: str) -> ReplicationGroup:
        return self._get(f"/vdc/data-service/vpools/{seg(group_id)}", parse.parse_replication_group)

    def replication_group_id(self, name: str) -> str:
        """Id (URN) of the group with this exact name; ECSNotFound naming the known groups."""
        groups = self.list_replication_groups()
        for group in groups:
            if group.name == name:
                return group.id
        known = ", ".join(sorted(g.name for g in groups)) or "none"
        raise ECSNotFound(f"replication group {name!r} not found (known: {known})")
