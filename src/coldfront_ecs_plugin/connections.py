"""Open an ECS client for a ColdFront resource: the one place that joins settings, the
resource's ``url`` attribute and the HTTP client."""

from __future__ import annotations

from . import attributes, conf
from .ecs import ECSClient
from .endpoints import parse_endpoint


def endpoint_for_resource(resource, settings: conf.ECSSettings | None = None) -> str:
    """Base URL of the resource's ECS endpoint; EndpointError when ``url`` is missing/bad."""
    settings = settings or conf.load(require_credentials=False)
    value = resource.get_attribute(attributes.URL, expand=False, typed=False)
    return parse_endpoint(value, allow_http=settings.allow_http)


def client_for_endpoint(
    base_url: str, settings: conf.ECSSettings | None = None, *, pool_size: int | None = None
) -> ECSClient:
    settings = settings or conf.load()
    return ECSClient(
        base_url,
        settings.user,
        settings.password,
        verify=settings.verify_ssl,
        timeout=settings.request_timeout,
        api_version=settings.client_version,
        pool_size=pool_size or settings.sync_concurrency,
        tls_fingerprint=settings.tls_fingerprint_for(base_url),
    )


def client_for_resource(resource, settings: conf.ECSSettings | None = None) -> ECSClient:
    """A new client (not yet logged in) for the resource; close it (``with``) when done."""
    settings = settings or conf.load()
    return client_for_endpoint(endpoint_for_resource(resource, settings), settings)
