"""Errors of the case-record service; the app factory maps each to one HTTP status, once."""

from __future__ import annotations

from careflow.errors import CareflowError

__all__ = [
    "AccessDenied",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "RecordError",
    "ServiceBusy",
    "StaleVersion",
    "Throttled",
    "TransitionNotAllowed",
]


class RecordError(CareflowError):
    """Base of the record service's errors; ``status`` is the HTTP status the app answers with."""

    status = 400

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotAuthenticated(RecordError, PermissionError):
    """No valid session (or wrong username or password)."""

    status = 401


class Throttled(NotAuthenticated):
    """Too many failed sign-ins: wait ``retry_after`` seconds (or ask an administrator to unlock the account)."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceBusy(RecordError):
    """Too much work of one kind at once (password checks): try again in ``retry_after`` seconds."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccessDenied(RecordError, PermissionError):
    """The user's role or allocation does not allow this (including a failed CSRF check)."""

    status = 403


class NotFound(RecordError, LookupError):
    """No such record."""

    status = 404


class TransitionNotAllowed(RecordError, ValueError):
    """The pathway does not allow this event now; ``needs`` says what must happen first."""

    status = 409

    def __init__(self, message: str, needs: list[str]) -> None:
        super().__init__(message, needs=needs)
        self.needs = needs


class StaleVersion(RecordError, ValueError):
    """The record changed since the client read it: reload and try again (nothing was written)."""

    status = 409

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message, current_version=current_version)
        self.current_version = current_version


class InvalidInput(RecordError, ValueError):
    """A value is wrong: a bad NHS number, a date in the future, an unknown code."""

    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.field = field
