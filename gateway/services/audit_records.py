"""Plain values of the audit log that cross the service boundary: a new event, a query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
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
        if self.since is not None:
            require_aware(self.since, "since")
        if self.until is not None:
            require_aware(self.until, "until")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise invalid("until must not be before since", "until")
        if self.entity_id is not None and len(self.entity_id) > MAX_ENTITY_ID:
            raise invalid(f"entityId must be at most {MAX_ENTITY_ID} characters", "entityId")
        if self.action is not None and len(self.action) > MAX_ENTITY_ID:
            raise invalid(f"action must be at most {MAX_ENTITY_ID} characters", "action")
