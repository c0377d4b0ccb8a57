"""The one API error type and the field validation errors it may carry.

`ApiError` renders as PocketBase's envelope `{"data":{…},"message":"…","status":N}`.
`ValidationErrors` maps field names (or list indexes) to `ValidationError`s, nested as deep as the
submitted data; it is not an HTTP error by itself, the API layer wraps it with a context message.
"""

from __future__ import annotations

from typing import Any

from pocketlite.tools.inflector import sentenize

__all__ = [
    "ApiError",
    "BadRequestError",
    "ForbiddenError",
    "InternalServerError",
    "NotFoundError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "ValidationError",
    "ValidationErrors",
]

DEFAULT_MESSAGES = {
    400: "Something went wrong while processing your request.",
    401: "Missing or invalid authentication.",
    403: "You are not allowed to perform this request.",
    404: "The requested resource wasn't found.",
    413: "Request entity too large.",
    429: "Too Many Requests.",
    500: "Something went wrong while processing your request.",
}


# Codes of ozzo-validation's built-in rules, whose raw messages are lower-case.
_OZZO_CODES = frozenset(
    {
        "validation_required",
        "validation_nil_or_not_empty_required",
        "validation_nil",
        "validation_empty",
        "validation_length_out_of_range",
        "validation_length_too_short",
        "validation_length_too_long",
        "validation_length_invalid",
        "validation_match_invalid",
        "validation_in_invalid",
        "validation_not_in_invalid",
        "validation_min_greater_equal_than_required",
        "validation_max_less_equal_than_required",
        "validation_is_email",
        "validation_is_domain",
        "validation_is_url",
    }
)


class ValidationError(Exception):
    """One field's failure: a PocketBase code, a message and optional message params."""

    def __init__(self, code: str, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def raw_message(self) -> str:
        """The message as Go prints the error (in import failures and nested raw errors):
        ozzo's own messages are lower-case without a final period."""
        if self.code in _OZZO_CODES:
            message = self.message.rstrip(".")
            return message[:1].lower() + message[1:]
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """`{"code","message"[,"params"]}` with the message sentenized."""
        out: dict[str, Any] = {"code": self.code, "message": sentenize(self.message)}
        if self.params:
            out["params"] = self.params
        return out


class ValidationErrors(Exception):
    """Field name → `ValidationError` or nested `ValidationErrors`."""

    def __init__(self, errors: dict[str, ValidationError | ValidationErrors] | None = None) -> None:
        super().__init__("validation failed")
        self.errors: dict[str, ValidationError | ValidationErrors] = dict(errors or {})

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __str__(self) -> str:
        """ozzo's `Errors.Error()`: `key: message; other: (nested: message).` sorted by key."""
        parts = []
        for key in sorted(self.errors):
            error = self.errors[key]
            if isinstance(error, ValidationErrors):
                parts.append(f"{key}: ({error})")
            else:
                parts.append(f"{key}: {error.raw_message()}")
        return "; ".join(parts) + "." if parts else ""

    def raw_messages(self) -> dict[str, Any]:
        """Go's JSON of the errors: key → raw message, nested."""
        return {
            k: v.raw_messages() if isinstance(v, ValidationErrors) else v.raw_message()
            for k, v in self.errors.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """The nested `data` object of the error envelope."""
        return {k: v.to_dict() for k, v in self.errors.items()}


class ApiError(Exception):
    """An error answered to the client as `{"data","message","status"}`."""

    status = 400

    def __init__(
        self,
        message: str = "",
        data: ValidationErrors | dict[str, Any] | None = None,
        *,
        status: int | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        self.message = sentenize(message) or DEFAULT_MESSAGES.get(self.status, DEFAULT_MESSAGES[400])
        super().__init__(self.message)
        self.data = data.to_dict() if isinstance(data, ValidationErrors) else dict(data or {})
        # The field errors as raised, for the request log's `details`.
        self.validation = data if isinstance(data, ValidationErrors) else None

    def to_dict(self) -> dict[str, Any]:
        """The response body."""
        return {"data": self.data, "message": self.message, "status": self.status}


class BadRequestError(ApiError):
    """400."""

    status = 400


class UnauthorizedError(ApiError):
    """401."""

    status = 401


class ForbiddenError(ApiError):
    """403."""

    status = 403


class NotFoundError(ApiError):
    """404."""

    status = 404


class TooManyRequestsError(ApiError):
    """429."""

    status = 429


class InternalServerError(ApiError):
    """500."""

    status = 500
