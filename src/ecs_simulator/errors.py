"""ECS-shaped errors: every refusal carries ECS's ``{code, description, details, retryable}`` body."""

from __future__ import annotations

from typing import Any

DESCRIPTIONS = {
    999: "An unexpected error occurred",
    1003: "The media type is not supported",
    1004: "Request parameter cannot be found",
    1005: "Required parameter is missing or empty",
    1007: "Method not supported",
    1008: "Parameter was provided but invalid",
    1013: "Bad request body",
    1015: "Resource already exists",
    1020: "Resource is being referenced",
    1014: "Parameter value not within range",
    1025: "Unable to delete resource",
    2000: "Unable to find entity in request URL",
    3000: "This operation is forbidden for this user",
    4000: "Invalid credentials or authentication token",
    6000: "The service is currently unavailable, try again later",
    7000: "An error occurred in the API Service",
    40008: "Bucket already exists",
    40009: "Invalid bucket name",
}


class ApiError(Exception):
    """Raised by handlers; the server turns it into an HTTP status plus ECS's error body."""

    def __init__(
        self, status: int, code: int, details: str = "", *, retryable: bool = False, description: str | None = None
    ) -> None:
        super().__init__(details)
        self.status = status
        self.code = code
        self.details = details
        self.retryable = retryable
        self.description = description or DESCRIPTIONS.get(code, "Error")

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description,
            "details": self.details,
            "retryable": self.retryable,
        }


def not_found(entity: str) -> ApiError:
    """ECS answers a missing namespace or bucket with 400/1004, not 404."""
    return ApiError(400, 1004, f"Unable to find entity with the given id {entity}")


def invalid(details: str) -> ApiError:
    return ApiError(400, 1008, details)
