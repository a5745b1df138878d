"""`auditLog`: who changed what, when, for admins (basic users get FORBIDDEN)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from domain.audit import ActorKind, AuditActor, AuditEntity, AuditEvent, parse_actor, user_actor
from gateway.schema.context import Info
from gateway.schema.ids import MAX_REF_LENGTH, USER, global_id, number_ref
from gateway.schema.inputs import bounded
from gateway.schema.pagination import Connection, page_request
from gateway.services.audit_records import AuditQuery

DEFAULT_PAGE = 20
MAX_ACTION = 100

strawberry.enum(AuditEntity, name="AuditEntity", description="What kind of thing changed.")
strawberry.enum(ActorKind, name="AuditActorKind", description="Who made a change.")


@strawberry.type(name="AuditActor")
class AuditActorType:
    kind: ActorKind
    label: str = strawberry.field(description="user:<number>, token:<id>, system or anonymous.")
    user_id: strawberry.ID | None = strawberry.field(description="The person's global id.")
    token_id: int | None = strawberry.field(description="The API token's id.")

    @classmethod
    def of(cls, actor: AuditActor) -> AuditActorType:
        user = None if actor.user_id is None else global_id(USER, actor.user_id)
        return cls(kind=actor.kind, label=actor.label, user_id=user, token_id=actor.token_id)


@strawberry.type(name="AuditEvent")
class AuditEventType:
    number: int = strawberry.field(description="The event's number; later events have larger.")
    at: datetime
    actor: AuditActorType
    entity: AuditEntity
    entity_id: str = strawberry.field(description="The code or number of what changed.")
    action: str
    before: JSON | None = strawberry.field(description="The changed fields before; null: new.")
    after: JSON | None = strawberry.field(description="The changed fields after; null: gone.")
    client: str | None = strawberry.field(description="The client's address, when known.")

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventType:
        return cls(
            number=event.id,
            at=event.at,
            actor=AuditActorType.of(event.actor),
            entity=event.entity,
            entity_id=event.entity_id,
            action=event.action,
            before=_json(event.before),
            after=_json(event.after),
            client=event.client,
        )


def _json(snapshot: Mapping[str, Any] | None) -> JSON | None:
    return None if snapshot is None else cast(JSON, dict(snapshot))


def actor_filter(raw: str, field: str = "actor") -> AuditActor:
    """A person's global id or number, or an actor label (user:7, token:3, system)."""
    text = raw.strip()
    if ":" in text or not text or text.lower() in ("system", "anonymous"):
        return parse_actor(text, field)
    return user_actor(number_ref(text, USER, field))


@strawberry.input
class AuditFilter:
    entity: AuditEntity | None = None
    entity_id: str | None = strawberry.field(
        default=None, description="A booking's or room's code, a user's or location's number."
    )
    actor: str | None = strawberry.field(
        default=None,
        description="A person's global id or number, or user:<n>, token:<id>, system, anonymous.",
    )
    action: str | None = None
    since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    until: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_query(self) -> AuditQuery:
        actor = bounded(self.actor, "actor", MAX_REF_LENGTH)
        return AuditQuery(
            entity=self.entity,
            entity_id=bounded(self.entity_id, "entityId", MAX_REF_LENGTH),
            actor=None if actor is None else actor_filter(actor),
            action=bounded(self.action, "action", MAX_ACTION),
            since=self.since,
            until=self.until,
        )


@strawberry.type
class AuditLogQuery:
    @strawberry.field(description="Admins only: recorded changes, newest first.")
    async def audit_log(
        self,
        info: Info,
        filter: AuditFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[AuditEventType]:
        page = await info.context.app.audit.events(
            info.context.principal,
            (filter or AuditFilter()).to_query(),
            page_request(info, first, after),
        )
        return Connection.of(page, AuditEventType.of)
