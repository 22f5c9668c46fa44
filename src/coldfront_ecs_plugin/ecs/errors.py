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


class ECSForbidden(ECSError):
    """The account lacks the role for this call (403)."""


class ECSBadRequest(ECSError):
    """ECS refused the request as invalid (400 other than not-found/duplicate, 405, 415)."""


class ECSUnavailable(ECSError):
    """ECS could not be reached or answered 5xx/timeouts after the bounded retries."""


class ECSMalformedResponse(ECSError):
    """ECS answered 2xx with a body the client cannot understand (HTML, XML, truncated JSON...)."""
