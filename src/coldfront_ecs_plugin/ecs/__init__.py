"""ECS management-API client: HTTP only, no Django."""

from .client import SUPPORTED_API_VERSIONS, ECSClient
from .errors import (
    ECSAlreadyExists,
    ECSAuthError,
    ECSBadRequest,
    ECSConfigurationError,
    ECSError,
    ECSForbidden,
    ECSMalformedResponse,
    ECSNotFound,
    ECSUnavailable,
)
from .models import (
    UNLIMITED,
    Bucket,
    BucketUsage,
    Capacity,
    Namespace,
    NamespaceUsage,
    ObjectUser,
    Quota,
    ReplicationGroup,
    SecretKeys,
)

__all__ = [
    "SUPPORTED_API_VERSIONS",
    "UNLIMITED",
    "Bucket",
    "BucketUsage",
    "Capacity",
    "ECSAlreadyExists",
    "ECSAuthError",
    "ECSBadRequest",
    "ECSClient",
    "ECSConfigurationError",
    "ECSError",
    "ECSForbidden",
    "ECSMalformedResponse",
    "ECSNotFound",
    "ECSUnavailable",
    "Namespace",
    "NamespaceUsage",
    "ObjectUser",
    "Quota",
    "ReplicationGroup",
    "SecretKeys",
]
