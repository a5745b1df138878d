"""occupancy: zones and capacity on locations, API tokens, the live count per leaf

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00.000000

`locations` accepts the kind `zone` (a counted place on a floor that is not booked) and
gains `capacity`. `api_tokens` holds the hashes of sensor and dashboard tokens, scoped to
a subtree and to read and/or ingest. `occupancy_now` holds each leaf's latest count.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = "kind IN ('site', 'building', 'floor', 'room')"
KINDS_AFTER = "kind IN ('site', 'building', 'floor', 'room', 'zone')"


def _kinds(condition: str) -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_locations_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_locations_kind"), condition)


def upgrade() -> None:
    _kinds(KINDS_AFTER)
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_locations_capacity_not_negative"), "capacity >= 0"
        )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("can_read", sa.Boolean(), nullable=False),
        sa.Column("can_ingest", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("can_read OR can_ingest", name=op.f("ck_api_tokens_some_scope")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_api_tokens_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_api_tokens_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "occupancy_now",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("earliest_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_occupancy_now_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_occupancy_now_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_occupancy_now")),
    )


def downgrade() -> None:
    op.drop_table("occupancy_now")
    op.drop_table("api_tokens")
    # Zones go with the kind that allowed them (their rows would break the old check).
    op.execute(sa.text("DELETE FROM locations WHERE kind = 'zone'"))
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_locations_capacity_not_negative"), type_="check")
        batch_op.drop_column("capacity")
    _kinds(KINDS_BEFORE)
