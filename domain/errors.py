"""The one error type every rule raises, with a stable machine code."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes shared by GraphQL errors and the REST shim; never renamed."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    ALREADY_AUTHENTICATED = "ALREADY_AUTHENTICATED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CODE = "INVALID_CODE"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    SLOT_TAKEN = "SLOT_TAKEN"
    OUTSIDE_BOOKABLE_HOURS = "OUTSIDE_BOOKABLE_HOURS"
    IN_THE_PAST = "IN_THE_PAST"
    OCCUPANCY_OUT_OF_RANGE = "OCCUPANCY_OUT_OF_RANGE"
    BOOKING_NOT_ACTIVE = "BOOKING_NOT_ACTIVE"
    BOOKING_ENDED = "BOOKING_ENDED"
    CHECK_IN_CLOSED = "CHECK_IN_CLOSED"
    RATE_LIMITED = "RATE_LIMITED"
    OUTSIDE_OFFICE_HOURS = "OUTSIDE_OFFICE_HOURS"
    ALREADY_ON_SITE = "ALREADY_ON_SITE"
    ALREADY_OFF_SITE = "ALREADY_OFF_SITE"
    EMPLOYEE_ID_TAKEN = "EMPLOYEE_ID_TAKEN"
    LAST_ADMIN = "LAST_ADMIN"
    CODE_REQUIRED = "CODE_REQUIRED"
    TIMETABLE_COLLISION = "TIMETABLE_COLLISION"
    UNAVAILABLE = "UNAVAILABLE"
    STORAGE_FULL = "STORAGE_FULL"


class DomainError(Exception):
    """An expected failure: a rule said no. `field` names the offending input, if any."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"DomainError({self.code.value}, {self.message!r}, field={self.field!r})"


def invalid(message: str, field: str | None = None) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field=field)
