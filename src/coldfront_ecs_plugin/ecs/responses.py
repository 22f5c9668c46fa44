"""Reading ECS's answers: error bodies to exception types, 2xx bodies to JSON.

The mapping is the contract callers rely on: only ``ECSNotFound`` means "does not exist",
``ECSForbidden`` is a missing role, ``ECSUnavailable`` is "ECS is down or overloaded", and the
too-many-tokens refusal is told apart from bad credentials because its remedy differs.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import requests

from . import parse
from .errors import (
    ECSAlreadyExists,
    ECSAuthError,
    ECSBadRequest,
    ECSError,
    ECSForbidden,
    ECSMalformedResponse,
    ECSNotFound,
    ECSTooManyTokens,
    ECSUnavailable,
)

NOT_FOUND_CODES = frozenset({1004, 1019, 2000})
ALREADY_EXISTS_CODES = frozenset({1015, 40008})
TOO_MANY_TOKENS_TEXT = "max number of tokens"


def error_fields(response: requests.Response) -> dict[str, Any]:
    """ECS's code/description/details from a JSON or XML error body (best effort)."""
    text = response.text[:8192] if response.content else ""
    if not text:
        return {}
    try:
        return parse.parse_error(json.loads(text))
    except ValueError:
        pass
    out: dict[str, Any] = {}
    for key in ("code", "description", "details"):
        match = re.search(rf"<{key}>(.*?)</{key}>", text, re.S)
        if match:
            out[key] = match.group(1).strip()[:500]
    if "code" in out:
        out["code"] = int(out["code"]) if out["code"].isdigit() else None
    return out


def is_auth_failure(response: requests.Response) -> bool:
    """401, or what ECS sends a client that does not follow redirects for a dead token: 302 to /login."""
    if response.status_code == 401:
        return True
    return response.status_code in (302, 303, 307) and "/login" in response.headers.get("Location", "")


def is_too_many_tokens(status: int, fields: dict[str, Any]) -> bool:
    """ECS's refusal of a 101st token: 401, code 4000, "Max number of tokens exceeded for this user"."""
    text = f"{fields.get('description') or ''} {fields.get('details') or ''}".lower()
    return status == 401 and TOO_MANY_TOKENS_TEXT in text


def too_many_tokens(
    username: str | None, method: str, path: str, status: int, fields: dict[str, Any]
) -> ECSTooManyTokens:
    """Says what happened and what to do: it is not a credentials problem."""
    who = f"user {username!r}" if username else "this user"
    return ECSTooManyTokens(
        f"ECS refused a new token for {who}: the user already holds the maximum number of "
        "tokens (100). Log out this user's other sessions (GET /logout?force=true ends them all) or wait "
        "for its tokens to expire (2 h idle, 8 h at most), then retry",
        http_status=status,
        method=method,
        path=path,
        **fields,
    )


def error_for(response: requests.Response, method: str, path: str) -> ECSError:
    """The exception for a non-2xx answer, carrying ECS's code/description/details."""
    status = response.status_code
    fields = error_fields(response)
    code = fields.get("code")
    summary = fields.get("details") or fields.get("description") or response.reason or "error"
    kwargs: dict[str, Any] = {"http_status": status, "method": method, "path": path, **fields}
    if status == 404 or code in NOT_FOUND_CODES:
        return ECSNotFound(f"not found: {summary}", **kwargs)
    if code in ALREADY_EXISTS_CODES:
        return ECSAlreadyExists(f"already exists: {summary}", **kwargs)
    if is_too_many_tokens(status, fields):
        return too_many_tokens(None, method, path, status, fields)
    if status == 401:
        return ECSAuthError(f"authentication failed: {summary}", **kwargs)
    if status == 403:
        return ECSForbidden(f"forbidden: {summary}", **kwargs)
    if status >= 500:
        return ECSUnavailable(f"ECS error: {summary}", **kwargs)
    if 300 <= status < 400:
        return ECSBadRequest(f"unexpected redirect ({response.headers.get('Location', '')[:100]})", **kwargs)
    return ECSBadRequest(f"request refused: {summary}", **kwargs)


def json_body(response: requests.Response) -> Any:
    """Decoded JSON object of a 2xx answer; HTML, XML, truncated or non-object bodies are malformed."""
    method = response.request.method if response.request is not None else None
    path = urlsplit(response.url).path if response.url else None
    where: dict[str, Any] = {"http_status": response.status_code, "method": method, "path": path}
    stripped = response.text.lstrip()
    if not stripped:
        raise ECSMalformedResponse("ECS answered with an empty body where JSON was expected", **where)
    if stripped.startswith("<"):
        kind = "HTML" if stripped[:200].lower().startswith(("<!doctype html", "<html")) else "XML"
        raise ECSMalformedResponse(f"ECS answered with {kind} instead of JSON (proxy or login page?)", **where)
    try:
        data = json.loads(stripped)
    except ValueError:
        raise ECSMalformedResponse("ECS answered with invalid or truncated JSON", **where) from None
    if not isinstance(data, dict):
        raise ECSMalformedResponse(f"ECS answered with a JSON {type(data).__name__}, expected an object", **where)
    return data
