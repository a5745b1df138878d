"""on-site presence: office hours per site and presence sessions

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-01 11:00:00.000000

`office_hours` holds a site's weekly hours (no rows: the default, Monday to Friday
08:00-17:00; a row with NULL times: closed that weekday). `presence_sessions` holds stays
on site, at most one open per person (a partial unique index on both databases).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("exited_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "office_hours",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=True),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name=op.f("ck_office_hours_weekday")),
        sa.CheckConstraint(
            "(opens_at IS NULL AND closes_at IS NULL) OR opens_at < closes_at",
            name=op.f("ck_office_hours_opens_first"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["locations.id"],
            name=op.f("fk_office_hours_site_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "weekday", name=op.f("pk_office_hours")),
    )
    op.create_table(
        "presence_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=8), nullable=True),
        sa.CheckConstraint(
            "closed_by IN ('user', 'lazy', 'sweep')", name=op.f("ck_presence_sessions_closed_by")
        ),
        sa.CheckConstraint(
            "(exited_at IS NULL) = (closed_by IS NULL)",
            name=op.f("ck_presence_sessions_closed_with_reason"),
        ),
        sa.CheckConstraint(
            "exited_at >= entered_at", name=op.f("ck_presence_sessions_exits_after_entry")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_presence_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["locations.id"],
            name=op.f("fk_presence_sessions_site_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_sessions")),
    )
    with op.batch_alter_table("presence_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_presence_sessions_open_user_id",
            ["user_id"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index(
            "ix_presence_sessions_user_id_entered_at", ["user_id", "entered_at"], unique=False
        )
        batch_op.create_index("ix_presence_sessions_entered_at", ["entered_at"], unique=False)
        batch_op.create_index(
            "ix_presence_sessions_open_site_id",
            ["site_id"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("presence_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_presence_sessions_open_site_id")
        batch_op.drop_index("ix_presence_sessions_entered_at")
        batch_op.drop_index("ix_presence_sessions_user_id_entered_at")
        batch_op.drop_index("ix_presence_sessions_open_user_id")
    op.drop_table("presence_sessions")
    op.drop_table("office_hours")
