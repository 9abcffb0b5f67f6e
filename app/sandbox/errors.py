"""Error responses with the exact bodies of Chatwoot's `RequestExceptionHandler`."""

from __future__ import annotations

from typing import Any

INVALID_TOKEN = "Invalid Access Token"
SIGN_IN = "You need to sign in or sign up before continuing."
NOT_IN_ACCOUNT = "You are not authorized to access this account"
NOT_AUTHORIZED = "You are not authorized to do this action"
BOTS_FORBIDDEN = "Access to this endpoint is not authorized for bots"
NOT_FOUND = "Resource could not be found"


class ApiError(Exception):
    """An error that renders as a JSON body with a status code."""

    def __init__(self, status: int, body: Any):
        super().__init__(body)
        self.status = status
        self.body = body


class RecordInvalid(ApiError):
    """A failed model validation: 422 with full messages joined by ', ' and attribute names."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        attributes = list(dict.fromkeys(attribute for attribute, _ in errors))
        super().__init__(422, {"message": self.full_messages(), "attributes": attributes})

    def full_messages(self) -> str:
        """The messages as Rails' `errors.full_messages.join(', ')`."""
        return ", ".join(message for _, message in self.errors)


def unauthorized(message: str) -> ApiError:
    """401 with a single `error` string."""
    return ApiError(401, {"error": message})


def sign_in_required() -> ApiError:
    """401 from devise_token_auth when no token header is present."""
    return ApiError(401, {"errors": [SIGN_IN]})


def not_found() -> ApiError:
    """404 for an unknown record or account."""
    return ApiError(404, {"error": NOT_FOUND})


def param_missing(name: str) -> ApiError:
    """422 raised by `ActionController::ParameterMissing` (also used by the contact inbox builder)."""
    return ApiError(422, {"error": f"param is missing or the value is empty: {name}"})


def unprocessable(message: str) -> ApiError:
    """422 with a single `error` string (what `messages#create` renders for any failure)."""
    return ApiError(422, {"error": message})
