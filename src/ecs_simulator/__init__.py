"""In-process simulator of the Dell EMC ECS management REST API, for tests and benchmarks.

It speaks the JSON dialect python-ecsclient sends and real ECS 3.8 answers, so the plugin can be
exercised end to end without an ECS cluster. It imports nothing from the plugin or Django.

Modules: ``cli`` (options, startup line), ``server`` (HTTP/TLS plumbing), ``api`` (dispatch, faults,
auth, stats), ``handlers`` (ECS endpoints and the route table), ``control`` (``/_sim/...``),
``auth`` (tokens), ``state`` (data + ``--state`` persistence), ``faults``, ``tls``, ``util``.

Endpoint names in ``/_sim/stats`` and ``/_sim/faults`` are ``"METHOD /template"`` exactly as in
``handlers.ROUTES``, e.g. ``"GET /object/bucket/{bucket}/info"`` or
``"GET /object/billing/buckets/{namespace}/{bucket}/info"``; unmatched paths count as
``"METHOD <unknown>"``. Control endpoints: POST usage, capacity, faults, reset, mgmt-users;
GET stats, state, faults. ``/_sim/faults`` also takes ``kinds`` (subset of 500, 503, drop, slow; default all
four; ``absent``, only when named: 404/2000 as from an ECS release without that call).
"""

__version__ = "0.1.0"
