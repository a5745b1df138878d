"""notifications: settings, push tokens, notifications per recipient, booking reminders

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 11:00:00.000000

`notification_settings` (no row: everything on), `push_tokens` (one row per device),
`notifications` with `notification_recipients` (read and deleted per recipient), and
`booking_reminders`, which the reminder worker moves out of `pending` exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSTANT = sa.DateTime(timezone=True)


def _user(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invites", sa.Boolean(), nullable=False),
        sa.Column("booking_reminders", sa.Boolean(), nullable=False),
        _user("notification_settings"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )
    op.create_table(
        "push_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("registered_at", _INSTANT, nullable=False),
        _user("push_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_tokens")),
        sa.UniqueConstraint("token", name=op.f("uq_push_tokens_token")),
    )
    op.create_index(
        "ix_push_tokens_user_id_registered_at", "push_tokens", ["user_id", "registered_at"]
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("booking_code", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("uuid", name=op.f("uq_notifications_uuid")),
    )
    op.create_table(
        "notification_recipients",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", _INSTANT, nullable=True),
        sa.Column("deleted_at", _INSTANT, nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_recipients_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        _user("notification_recipients"),
        sa.PrimaryKeyConstraint(
            "notification_id", "user_id", name=op.f("pk_notification_recipients")
        ),
    )
    op.create_index(
        "ix_notification_recipients_user_id_notification_id",
        "notification_recipients",
        ["user_id", "notification_id"],
    )
    op.create_table(
        "booking_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_at", _INSTANT, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done_at", _INSTANT, nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'cancelled', 'skipped')",
            name=op.f("ck_booking_reminders_state"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_reminders_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        _user("booking_reminders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_reminders")),
        sa.UniqueConstraint(
            "booking_id", "user_id", name=op.f("uq_booking_reminders_booking_id_user_id")
        ),
    )
    op.create_index("ix_booking_reminders_state_due_at", "booking_reminders", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_booking_reminders_state_due_at", table_name="booking_reminders")
    op.drop_table("booking_reminders")
    op.drop_index(
        "ix_notification_recipients_user_id_notification_id",
        table_name="notification_recipients",
    )
    op.drop_table("notification_recipients")
    op.drop_table("notifications")
    op.drop_index("ix_push_tokens_user_id_registered_at", table_name="push_tokens")
    op.drop_table("push_tokens")
    op.drop_table("notification_settings")
