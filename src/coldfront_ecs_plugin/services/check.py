"""``manage.py ecs_check``: does each ECS resource's configuration work, before the first approval?

Why: ``manage.py check`` only validates settings; a wrong password, an untrusted certificate or an
unknown replication group showed up only when an approval failed. Each check is one line: what
was found, or what is wrong and what to change. Nothing on ECS is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from .. import attributes, conf
from ..ecs import ECSAuthError, ECSClient, ECSError, ECSTooManyTokens, is_missing_call
from ..endpoints import EndpointError, parse_endpoint

PROBE_NAMESPACE = "ecs-check-probe"


@dataclass(frozen=True)
class CheckLine:
    resource: str
    check: str
    status: str  # ok, warn, fail
    detail: str

    def describe(self) -> str:
        where = f"{self.resource}: " if self.resource else ""
        return f"{self.status.upper():<4} {where}{self.check}: {self.detail}"

    def to_dict(self) -> dict:
        return asdict(self)


def run_checks(resource_names: Iterable[str] | None = None) -> list[CheckLine]:
    """Every check of every selected ECS resource (default: all of them)."""
    from .records import resource_value
    from .sync import select_resources

    try:
        settings = conf.load()
    except conf.SettingsError as exc:
        return [CheckLine("", "settings", "fail", str(exc))]
    lines = [CheckLine("", "settings", "ok", f"ECS_USER {settings.user!r}, timeout {settings.request_timeout:g} s")]
    resources, unknown = select_resources(resource_names, settings)
    lines += [CheckLine("", "resource", "fail", f.reason) for f in unknown]
    if not resources and not unknown:
        lines.append(
            CheckLine(
                "", "resource", "fail", "no ECS resource found (see ECS_RESOURCE_TYPES and ECS_RESOURCE_NAME_CONTAINS)"
            )
        )
    for resource in resources:
        lines += check_resource(
            resource.name,
            resource_value(resource, attributes.URL),
            resource_value(resource, attributes.REPLICATION_GROUP),
            settings,
        )
    return lines


def check_resource(name: str, url: str | None, group: str | None, settings: conf.ECSSettings) -> list[CheckLine]:
    """url, TLS, login, replication group, VDC, listing, billing, logout: stops where going on is pointless."""
    from ..connections import client_for_endpoint
    from .tls_probe import check_tls

    try:
        base_url = parse_endpoint(url, allow_http=settings.allow_http)
    except EndpointError as exc:
        return [CheckLine(name, "url", "fail", f"{exc} (resource attribute {attributes.URL!r})")]
    lines = [CheckLine(name, "url", "ok", base_url)]
    status, detail = check_tls(base_url, settings)
    lines.append(CheckLine(name, "tls", status, detail))
    if status == "fail":
        return lines
    try:
        client = client_for_endpoint(base_url, settings, pool_size=1)
    except ECSError as exc:
        return [*lines, CheckLine(name, "client", "fail", str(exc))]
    return lines + _session_checks(name, client, group, settings)


def _session_checks(name: str, client: ECSClient, group: str | None, settings: conf.ECSSettings) -> list[CheckLine]:
    lines: list[CheckLine] = []

    def run(check: str, fn: Callable[[], tuple[str, str]]) -> str:
        try:
            with client.deadline(2 * settings.request_timeout + 1):
                status, detail = fn()
        except ECSError as exc:
            status, detail = "fail", str(exc)
        lines.append(CheckLine(name, check, status, detail))
        return status

    if run("login", lambda: _login(client)) == "fail":
        client.close()
        return lines
    run("replication group", lambda: _group(client, group))
    run("vdc", lambda: _vdc(client))
    probe = PROBE_NAMESPACE
    listing: list[str] = []
    run("listing", lambda: _listing(client, listing))
    probe = listing[0] if listing else probe
    run("billing", lambda: _billing(client, probe))
    lines.append(CheckLine(name, "logout", *_logout(client)))
    return lines


def _login(client: ECSClient) -> tuple[str, str]:
    try:
        client.login()
    except ECSTooManyTokens as exc:
        return "fail", str(exc)
    except ECSAuthError as exc:
        return "fail", f"{exc}: check ECS_USER and ECS_PASS"
    return "ok", f"logged in as {client.username!r}"


def _group(client: ECSClient, group: str | None) -> tuple[str, str]:
    if not group:
        return "fail", (
            f"the resource has no {attributes.REPLICATION_GROUP!r} attribute: set it to the name of the "
            "replication group new namespaces go to"
        )
    return "ok", f"{group!r} is {client.replication_group_id(group)}"


def _vdc(client: ECSClient) -> tuple[str, str]:
    try:
        vdc = client.local_vdc()
    except ECSError as exc:
        if is_missing_call(exc):
            return "warn", "this ECS does not name its local VDC: bindings record the endpoint only"
        raise
    return "ok", f"local VDC {vdc.name!r}, id {vdc.id}"


def _listing(client: ECSClient, names: list[str]) -> tuple[str, str]:
    first = next(iter(client.list_namespaces(page_size=1)), None)
    if first is None:
        return "ok", "the namespace listing answers (empty: whether it carries quotas is not known yet)"
    names.append(first.name)
    if first.quota is not None:
        return "ok", "the namespace listing carries quotas: ecs_sync reads them from it"
    return "ok", "the namespace listing carries no quotas: ecs_sync reads one quota per namespace"


def _billing(client: ECSClient, namespace: str) -> tuple[str, str]:
    """The cheapest billing form this ECS answers (the probe names one namespace; nothing is written)."""
    probes = (
        ("bulk namespace billing", lambda: client.get_namespace_usages([namespace], include_buckets=False)),
        ("bulk bucket billing", lambda: client.get_bucket_usages(namespace, [PROBE_NAMESPACE])),
        ("namespace billing", lambda: client.get_namespace_usage(namespace, include_buckets=False)),
    )
    missing = []
    for form, probe in probes:
        try:
            probe()
        except ECSError as exc:
            if is_missing_call(exc):
                missing.append(form)
                continue
            if exc.http_status is None or exc.http_status >= 500:
                raise
        lacks = f" (no {', no '.join(missing)})" if missing else ""
        return ("ok" if not missing else "warn"), f"ecs_sync reads usage with {form}{lacks}"
    return "warn", "no billing form found but bucket billing: ecs_sync reads one bucket at a time"


def _logout(client: ECSClient) -> tuple[str, str]:
    """close() never raises; a failed logout is only logged, so listen for it."""
    failed: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "logout" in record.getMessage():
                failed.append(record.getMessage())

    catcher = Catch(logging.WARNING)
    transport = logging.getLogger("coldfront_ecs_plugin.ecs.transport")
    transport.addHandler(catcher)
    try:
        client.close()
    finally:
        transport.removeHandler(catcher)
    if failed:
        return "fail", f"{failed[0]}: the token stays live until it expires (ECS allows 100 per user)"
    return "ok", "token released"
