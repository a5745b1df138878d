"""the audit log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:00:00.000000

`audit_events` records every change to bookings, users, locations and rooms, IP rules and
API tokens: who (a user, an API token, the system or an anonymous caller), what (entity,
id, action), when, the relevant fields before and after as JSON (never secrets), and
the client address when known. No foreign keys: events outlive what they name.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_token_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "actor_kind IN ('user', 'token', 'system', 'anonymous')",
            name=op.f("ck_audit_events_actor_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_entity_entity_id", ["entity", "entity_id"])
        batch_op.create_index("ix_audit_events_actor_user_id", ["actor_user_id"])
        batch_op.create_index("ix_audit_events_at", ["at"])


def downgrade() -> None:
    op.drop_table("audit_events")
