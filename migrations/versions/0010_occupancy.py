"""occupancy: zones and capacity on locations, API tokens, the live count per leaf

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00.000000

`locations` accepts the kind `zone` (a counted place on a floor that is not booked) and
gains `capacity`. `api_tokens` holds the hashes of sensor and dashboard tokens, scoped to
a subtree and to read and/or ingest. `occupancy_now` holds each leaf's latest count,
`occupancy_readings` the raw readings (for a retention period), `occupancy_hours` their
rollups per leaf and site-local hour, and `occupancy_visit_ends` the halves of visits
waiting for the other half.
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
    _readings()
    op.create_table(
        "occupancy_hours",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("samples", "count_sum", "count_max", "entries", "visits")
        ),
        sa.Column("dwell_seconds", sa.Float(), nullable=False),
        sa.Column("dwell_max_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_occupancy_hours_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", "hour", name=op.f("pk_occupancy_hours")),
    )
    op.create_table(
        "occupancy_visit_ends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(entered_at IS NULL) <> (left_at IS NULL)",
            name=op.f("ck_occupancy_visit_ends_one_end"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_occupancy_visit_ends_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupancy_visit_ends")),
    )
    with op.batch_alter_table("occupancy_visit_ends", schema=None) as batch_op:
        batch_op.create_index(
            "ix_occupancy_visit_ends_location_id_visitor", ["location_id", "visitor"], unique=False
        )


def _readings() -> None:
    op.create_table(
        "occupancy_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("visitor", sa.String(length=64), nullable=True),
        sa.Column("sample", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('count', 'in', 'out')", name=op.f("ck_occupancy_readings_kind")
        ),
        sa.CheckConstraint(
            "(kind = 'count') = (count IS NOT NULL)",
            name=op.f("ck_occupancy_readings_count_for_snapshots"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_occupancy_readings_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupancy_readings")),
    )
    with op.batch_alter_table("occupancy_readings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_occupancy_readings_location_id_at", ["location_id", "at"], unique=False
        )
        batch_op.create_index("ix_occupancy_readings_at", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("occupancy_visit_ends")
    op.drop_table("occupancy_hours")
    op.drop_table("occupancy_readings")
    op.drop_table("occupancy_now")
    op.drop_table("api_tokens")
    # Zones go with the kind that allowed them (their rows would break the old check).
    op.execute(sa.text("DELETE FROM locations WHERE kind = 'zone'"))
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_locations_capacity_not_negative"), type_="check")
        batch_op.drop_column("capacity")
    _kinds(KINDS_BEFORE)
