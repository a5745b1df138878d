"""mail kinds, a per-recipient ledger of mail sent on somebody's behalf, relay leases

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:30:00.000000

`outbox.locked_until` is a relay's lease on a mail (or the end of a failure's backoff), so
several gateway processes can relay one outbox; the partial index holds only unsent mail,
in queue order, for the claim.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.String(length=32),
                server_default="booking_confirmation",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_outbox_unsent_id",
            ["id"],
            unique=False,
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        )
    op.create_table(
        "mail_deliveries",
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mail_id"],
            ["outbox.id"],
            name=op.f("fk_mail_deliveries_mail_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mail_id", "email", name=op.f("pk_mail_deliveries")),
    )
    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_deliveries_email_queued_at", ["email", "queued_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_deliveries_email_queued_at")
    op.drop_table("mail_deliveries")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent_id")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("kind")
