"""ECS management endpoints and the route table; ``routes_for(profile)`` drops what a profile lacks.

Handlers get ``(sim, req, params, user)`` under the simulator lock and return a JSON-able body
(None for ECS's empty 200) or a ``Reply``; they raise ``ApiError`` for ECS's error answers.
"""

from __future__ import annotations

from ..profiles import Profile
from ..routes import Route
from . import billing, buckets, namespaces, system, users

NS = "/object/namespaces/namespace"
BULK_BUCKET_BILLING = "POST /object/billing/buckets/{namespace}/info"
BULK_NAMESPACE_BILLING = "POST /object/billing/namespace/info"

ROUTES = [
    Route("GET", "/login", system.login, auth=False),
    Route("GET", "/logout", system.logout),
    Route("GET", "/user/whoami", system.whoami),
    Route("GET", "/object/namespaces", namespaces.list_namespaces),
    Route("GET", NS + "/{namespace}", namespaces.get_namespace),
    Route("POST", NS, namespaces.create_namespace, write=True),
    Route("PUT", NS + "/{namespace}", namespaces.update_namespace, write=True),
    Route("POST", NS + "/{namespace}/deactivate", namespaces.delete_namespace, write=True),
    Route("GET", NS + "/{namespace}/quota", namespaces.get_namespace_quota),
    Route("PUT", NS + "/{namespace}/quota", namespaces.set_namespace_quota, write=True),
    Route("DELETE", NS + "/{namespace}/quota", namespaces.delete_namespace_quota, write=True),
    Route("POST", "/object/bucket", buckets.create_bucket, write=True),
    Route("GET", "/object/bucket", buckets.list_buckets),
    Route("GET", "/object/bucket/{bucket}/info", buckets.get_bucket_info),
    Route("POST", "/object/bucket/{bucket}/deactivate", buckets.delete_bucket, write=True),
    Route("GET", "/object/bucket/{bucket}/quota", buckets.get_bucket_quota),
    Route("PUT", "/object/bucket/{bucket}/quota", buckets.set_bucket_quota, write=True),
    Route("DELETE", "/object/bucket/{bucket}/quota", buckets.delete_bucket_quota, write=True),
    Route("GET", "/object/bucket/{bucket}/lock", buckets.get_lock),
    Route("PUT", "/object/bucket/{bucket}/lock/{locked}", buckets.set_lock, write=True),
    Route("GET", "/object/billing/buckets/{namespace}/{bucket}/info", billing.bucket_billing),
    Route("POST", "/object/billing/buckets/{namespace}/info", billing.bulk_bucket_billing),
    Route("GET", "/object/billing/namespace/{namespace}/info", billing.namespace_billing),
    Route("POST", "/object/billing/namespace/info", billing.bulk_namespace_billing),
    Route("GET", "/object/capacity", system.capacity),
    Route("GET", "/object/vdcs/vdc/local", system.local_vdc),
    Route("GET", "/vdc/data-service/vpools", system.list_replication_groups),
    Route("GET", "/vdc/data-service/vpools/{id}", system.get_replication_group),
    Route("POST", "/object/users", users.create_user, write=True),
    Route("GET", "/object/users", users.list_users),
    Route("GET", "/object/users/{namespace}", users.list_namespace_users),
    Route("GET", "/object/users/{uid}/info", users.get_user),
    Route("POST", "/object/users/deactivate", users.delete_user, write=True),
    Route("POST", "/object/user-secret-keys/{uid}", users.create_key, write=True),
    Route("GET", "/object/user-secret-keys/{uid}", users.get_keys),
    Route("GET", "/object/user-secret-keys/{uid}/{namespace}", users.get_keys),
    Route("POST", "/object/user-secret-keys/{uid}/deactivate", users.delete_keys, write=True),
]


def routes_for(profile: Profile) -> list[Route]:
    """The routes this ECS version has; a missing one answers as any unknown path (404, code 2000)."""
    missing = set()
    if not profile.bulk_bucket_billing:
        missing.add(BULK_BUCKET_BILLING)
    if not profile.bulk_namespace_billing:
        missing.add(BULK_NAMESPACE_BILLING)
    return [r for r in ROUTES if r.name not in missing]
