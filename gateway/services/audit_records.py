"""Plain values of the audit log that cross the service boundary: a new event, a query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.audit import MAX_ENTITY_ID, AuditActor, AuditEntity
from domain.errors import invalid
from domain.intervals import require_aware


@dataclass(frozen=True)
class NewAuditEvent:
    """An event to store; the store gives it its id."""

    at: datetime
    actor: AuditActor
    entity: AuditEntity
    entity_id: str
    action: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    client: str | None


@dataclass(frozen=True)
class AuditQuery:
    """Which events to list; every set field narrows the result. `since` is inclusive,
    `until` exclusive."""

    entity: AuditEntity | None = None
    entity_id: str | None = None
    actor: AuditActor | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        for name, instant in (("since", self.since), ("until", self.until)):
            if instant is not None:
                _in_utc_range(instant, name)
        if self.since is not None and self.until is not None and self.until < self.since:
            raise invalid("until must not be before since", "until")
        for name, text in (("entityId", self.entity_id), ("action", self.action)):
            if text is not None:
                _plain(text, name)


def _in_utc_range(instant: datetime, field: str) -> None:
    """Aware, and representable in UTC (0001-01-01T00:00+14:00 is not), as stored."""
    require_aware(instant, field)
    try:
        instant.astimezone(UTC)
    except OverflowError:
        raise invalid(f"{field} is outside the range of dates", field) from None


def _plain(text: str, field: str) -> None:
    """Short, and printable text: a lone surrogate or a control character is no id."""
    if len(text) > MAX_ENTITY_ID:
        raise invalid(f"{field} must be at most {MAX_ENTITY_ID} characters", field)
    if not text.isprintable() or any("\ud800" <= c <= "\udfff" for c in text):
        raise invalid(f"{field} must be printable text", field)
