"""Every ColdFront attribute name the plugin reads or writes, with its type and flags.

``ecs_setup`` creates exactly these; nothing else in the plugin spells an attribute name.
"""

from __future__ import annotations

from dataclasses import dataclass

# Resource attributes
URL = "url"
REPLICATION_GROUP = "replication_group"
LDAP_DOMAIN = "ldap_domain"
CAPACITY_TB = "capacity_tb"
USED_TB = "used_tb"
ALLOCATED_TB = "allocated_tb"
S3_ENDPOINT = "s3_endpoint"

# Allocation attributes
NAMESPACE = "Namespace"
BUCKET = "Bucket"
QUOTA_TB = "Storage Quota (TB)"
QUOTA_BYTES = "Quota_In_Bytes"
ECS_STATUS = "ECS Status"


@dataclass(frozen=True)
class ResourceAttributeSpec:
    name: str
    type_name: str  # resource.AttributeType name
    description: str


@dataclass(frozen=True)
class AllocationAttributeSpec:
    name: str
    type_name: str  # allocation.AttributeType name
    has_usage: bool
    is_private: bool
    is_changeable: bool
    description: str


RESOURCE_ATTRIBUTES: tuple[ResourceAttributeSpec, ...] = (
    ResourceAttributeSpec(URL, "Text", "ECS management endpoint: host, host:port or https://host[:port]"),
    ResourceAttributeSpec(REPLICATION_GROUP, "Text", "Replication group (vpool) name for new namespaces"),
    ResourceAttributeSpec(LDAP_DOMAIN, "Text", "LDAP/AD domain for the namespace user mapping"),
    # ColdFront's resource AttributeType has no Float; Text keeps fractional TB
    ResourceAttributeSpec(CAPACITY_TB, "Text", "Cluster provisioned capacity, TB (synced)"),
    ResourceAttributeSpec(USED_TB, "Text", "Cluster used capacity, TB (synced)"),
    ResourceAttributeSpec(ALLOCATED_TB, "Text", "Sum of namespace quotas on this endpoint, TB (synced)"),
    ResourceAttributeSpec(
        S3_ENDPOINT, "Text", "S3 endpoint members use with their keys, e.g. https://s3.example.org:9021"
    ),
)

ALLOCATION_ATTRIBUTES: tuple[AllocationAttributeSpec, ...] = (
    AllocationAttributeSpec(NAMESPACE, "Text", False, False, False, "ECS namespace of this allocation"),
    AllocationAttributeSpec(BUCKET, "Text", False, False, False, "ECS bucket of this allocation"),
    AllocationAttributeSpec(QUOTA_TB, "Float", True, False, True, "Hard quota in TB (TiB); usage synced"),
    AllocationAttributeSpec(QUOTA_BYTES, "Int", True, False, False, "Hard quota in bytes; usage synced"),
    AllocationAttributeSpec(
        ECS_STATUS, "Text", False, False, False, "State of this allocation's ECS storage, kept by the plugin"
    ),
)

#: category used in every log record, as ColdFront integrations do
LOG_CATEGORY = "integration:ecs"
