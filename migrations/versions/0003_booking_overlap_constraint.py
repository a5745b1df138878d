"""PostgreSQL: the database itself refuses overlapping active bookings of a room

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:40:00.000000

An exclusion constraint over the room and the booking's half-open `tstzrange`, for active
bookings only (btree_gist lets `=` on an integer share a GiST index with `&&`). SQLite has
no such constraint: there every writing transaction begins with BEGIN IMMEDIATE, so the
overlap check and the insert cannot interleave with another writer's.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ex_bookings_room_active_overlap"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        f"ALTER TABLE bookings ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status = 'active')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE bookings DROP CONSTRAINT {CONSTRAINT}")
