"""One error hierarchy for everything that can go wrong talking to Chatwoot."""

from __future__ import annotations


class ChatwootError(Exception):
    """Base class; `status` is the HTTP status when there was an answer."""

    retryable = False

    def __init__(self, message: str, status: int | None = None, body: object = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class ChatwootConfigError(ChatwootError):
    """Settings are missing or unusable; no call was made."""


class ChatwootDestinationRefused(ChatwootConfigError):
    """The API URL's host resolves to a loopback, private, link-local or reserved address and
    CHATWOOT_ALLOW_PRIVATE_NETWORK is off; nothing was sent."""


class ChatwootRedirect(ChatwootError):
    """3xx: never followed, so the token stays with the configured origin; `location` says where it pointed."""

    def __init__(self, message: str, status: int, location: str):
        super().__init__(message, status)
        self.location = location


class ChatwootAuthError(ChatwootError):
    """401/403: bad token, no access to the account or inbox (Chatwoot maps denials to 401)."""


class ChatwootNotFound(ChatwootError):
    """404: the account, contact, inbox or conversation does not exist (e.g. a merged contact)."""


class ChatwootValidationError(ChatwootError):
    """422: Chatwoot refused the data; `message` is Chatwoot's own text, `attributes` the fields."""

    def __init__(self, message: str, status: int | None = 422, body: object = None,
                 attributes: list[str] | None = None):
        super().__init__(message, status, body)
        self.attributes = attributes or []

    @property
    def already_taken(self) -> bool:
        return "has already been taken" in self.message


class ChatwootRateLimited(ChatwootError):
    """429 that persisted after waiting for the next minute window."""

    retryable = True


class ChatwootTransientError(ChatwootError):
    """5xx, timeouts and connection failures: worth retrying later.

    `maybe_applied` is true when the request may have reached Chatwoot (a read timeout on a POST),
    so blindly repeating it could duplicate a contact or a message.
    """

    retryable = True

    def __init__(self, message: str, status: int | None = None, body: object = None,
                 maybe_applied: bool = False):
        super().__init__(message, status, body)
        self.maybe_applied = maybe_applied
