"""Exceptions raised by the ECS client.

Callers decide what to do from the *type*: "not found" is the only error that may be read
as "does not exist"; everything else is a failure.  Every exception carries ECS's own
``code``/``description``/``details`` when ECS sent them, and never a credential or token.
"""

from __future__ import annotations


class ECSError(Exception):
    """Base class for every error the client raises."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        description: str | None = None,
        details: str | None = None,
        retryable: bool | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.description = description
        self.details = details
        self.retryable = retryable
        self.method = method
        self.path = path

    def __str__(self) -> str:
        parts = [self.message]
        if self.method and self.path:
            parts.append(f"[{self.method} {self.path}]")
        if self.http_status is not None:
            parts.append(f"(HTTP {self.http_status}")
            parts[-1] += f", ECS code {self.code})" if self.code is not None else ")"
        return " ".join(parts)


class ECSConfigurationError(ECSError, ValueError):
    """The client was configured wrongly (bad URL, API version, missing credentials)."""


class ECSNotFound(ECSError):
    """The namespace, bucket, user or replication group does not exist (ECS 400/1004, 404)."""


class ECSAlreadyExists(ECSError):
    """A create call was refused because the entity already exists (ECS 1015, 40008)."""


class ECSAuthError(ECSError):
    """Bad credentials, or a token ECS no longer accepts even after one re-login (401)."""


class ECSTooManyTokens(ECSAuthError):
    """ECS refused a new token: the user already holds its maximum (100) of live tokens (401, code 4000)."""


class ECSForbidden(ECSError):
    """The account lacks the role for this call (403)."""


class ECSBadRequest(ECSError):
    """ECS refused the request as invalid (400 other than not-found/duplicate, 405, 415)."""


class ECSUnavailable(ECSError):
    """ECS could not be reached or answered 5xx/timeouts after the bounded retries."""


class ECSMalformedResponse(ECSError):
    """ECS answered 2xx with a body the client cannot understand (HTML, XML, truncated JSON...)."""


class AmbiguousWrite(ECSUnavailable):
    """A non-idempotent request may or may not have been applied (timeout, dropped connection, 5xx).

    Internal to the client: operations reconcile it (``Transport._reconciled``) or turn it into
    ``ECSUnavailable``; callers never see this type by name.
    """


MISSING_CALL_STATUSES = frozenset({405, 415, 501})


def is_missing_call(exc: BaseException) -> bool:
    """True when ECS's answer means "this ECS has no such call", so the caller may fall back.

    That is 405, 415 or 501, or a 404 with ECS's unknown-path code 2000 or with no ECS error
    body at all (a proxy's page).  A 404 with another code (1004: no such entity) is not.
    """
    if not isinstance(exc, ECSError) or exc.http_status is None:
        return False
    if exc.http_status in MISSING_CALL_STATUSES:
        return True
    return exc.http_status == 404 and exc.code in (None, 2000)
