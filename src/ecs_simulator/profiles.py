"""Which ECS the simulator plays: the shapes that differ between ECS 3.1, ECS 3.8 and ObjectScale 4.1.

Sources (../shared/docs/ecs-field-notes.md unless said otherwise):
- ``ecs-3.8``: the live ECS CE 3.8 captures (../shared/fixtures/ecs-ce-live/), today's default.
- ``ecs-3.1``: bulk bucket billing arrived in 3.2 ("Billing": Dell ECS 3.2 REST reference, "Modified
  Methods in Billing"), so it is an unknown path (404, code 2000); namespace list items are
  ``id``/``name``/``link`` (python-ecsclient's ``NAMESPACES`` schema, both public exporters); KB/MB/GB only.
- ``objectscale-4.1``: quotas in the namespace list, ``KiB``/``MiB``/``GiB``/``BYTE`` size units,
  hidden secret keys and bucket ``owner`` (ObjectScale 4.1 OpenAPI file, "ObjectScale 4.x vs ECS 3.x").
"""

from __future__ import annotations

from dataclasses import dataclass

# canonical unit -> bytes; lookup is case-insensitive, the answer echoes the canonical spelling
UNITS_3X = {"KB": 1024, "MB": 1024**2, "GB": 1024**3}
UNITS_4X = {**UNITS_3X, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "BYTE": 1}


@dataclass(frozen=True)
class Profile:
    name: str
    namespace_list_quotas: bool = True  # list items carry the full namespace (with blockSize, ...)
    bulk_bucket_billing: bool = True  # POST /object/billing/buckets/{ns}/info (3.2+)
    bulk_namespace_billing: bool = True  # POST /object/billing/namespace/info (3.2+)
    units: tuple[tuple[str, int], ...] = tuple(UNITS_3X.items())
    hidden_keys: bool = False  # secret keys masked on read, with secret_key_N_id (4.x)
    bucket_owner: bool = False  # bucket create honours "owner" (4.x)
    valid_namespace_flag: bool = False  # bulk namespace billing's valid_namespace is "true" (live 4.3)

    @property
    def unit_bytes(self) -> dict[str, int]:
        return dict(self.units)


PROFILES = {
    "ecs-3.8": Profile("ecs-3.8"),
    "ecs-3.1": Profile("ecs-3.1", namespace_list_quotas=False, bulk_bucket_billing=False, bulk_namespace_billing=False),
    "objectscale-4.1": Profile(
        "objectscale-4.1", units=tuple(UNITS_4X.items()), hidden_keys=True, bucket_owner=True, valid_namespace_flag=True
    ),
}
DEFAULT_PROFILE = "ecs-3.8"
