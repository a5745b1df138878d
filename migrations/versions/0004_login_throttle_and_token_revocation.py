"""login throttling (failed sign-ins per key) and token revocation (users.tokens_valid_from)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00.000000

`login_failures` holds failed sign-ins per typed address (`account`) and per client
address (`client`); rows older than the throttle's window are purged as new ones arrive.
`users.tokens_valid_from`: tokens issued before it are refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tokens_valid_from", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scope IN ('account', 'client')", name=op.f("ck_login_failures_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_failures_scope_key_failed_at", ["scope", "key", "failed_at"], unique=False
        )
        batch_op.create_index("ix_login_failures_failed_at", ["failed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_failed_at")
        batch_op.drop_index("ix_login_failures_scope_key_failed_at")
    op.drop_table("login_failures")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("tokens_valid_from")
