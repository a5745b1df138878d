"""Storage faults the caller can do nothing about but wait: a database locked by another
writer past the busy timeout, or a full disk. They become `RetryLater` errors with a stable
code instead of a masked INTERNAL, so GraphQL answers UNAVAILABLE / STORAGE_FULL and the
REST shim 503 with Retry-After."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError

from domain.errors import ErrorCode
from domain.retry import RetryLater

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 5
FULL_RETRY_SECONDS = 60
# PostgreSQL SQLSTATEs: 53100 disk_full; 53300 too_many_connections, 55P03
# lock_not_available, 57P03 cannot_connect_now (starting up, shutting down).
_PG_FULL = frozenset({"53100"})
_PG_BUSY = frozenset({"53300", "55P03", "57P03"})


def busy() -> RetryLater:
    return RetryLater(
        ErrorCode.UNAVAILABLE,
        f"the database is busy with other writes; try again in {BUSY_RETRY_SECONDS} seconds",
        retry_after=BUSY_RETRY_SECONDS,
    )


def full() -> RetryLater:
    return RetryLater(
        ErrorCode.STORAGE_FULL,
        "the database has no room for this change (storage is full); nothing was saved, "
        f"try again in {FULL_RETRY_SECONDS} seconds",
        retry_after=FULL_RETRY_SECONDS,
    )


def storage_fault(error: BaseException) -> RetryLater | None:
    """The RetryLater for a DBAPI error that is the storage's state, not a bug; None for
    anything else (which stays unexpected, masked and logged)."""
    if not isinstance(error, DBAPIError):
        return None
    original = error.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    text = str(original).lower()
    if state in _PG_FULL or "database or disk is full" in text:
        fault = full()
    elif state in _PG_BUSY or "database is locked" in text or "database is busy" in text:
        fault = busy()
    else:
        return None
    # One line, no traceback: an operator wants to know, but nothing here is a bug.
    log.warning("storage refused a unit of work: %s", text.splitlines()[0] if text else state)
    return fault
