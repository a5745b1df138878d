"""IP rules: allowed, confirmed and blocked sign-in addresses per user, and
users.block_anonymous_ip

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-01 11:00:00.000000

Addresses are stored in their canonical text form (domain.addresses.normalise_address).
`user_allowed_addresses`: added by admins. `user_confirmed_addresses`: addresses a user
confirmed with a mailed code, or trusted on first use. `user_blocked_addresses`: removed
by an admin, refused until allowed again. `users.block_anonymous_ip`: only allowed or
confirmed addresses may sign in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("block_anonymous_ip", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "user_allowed_addresses",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("user_id", "user_allowed_addresses", "CASCADE"),
        _user_fk("added_by", "user_allowed_addresses", "SET NULL"),
        sa.PrimaryKeyConstraint("user_id", "address", name=op.f("pk_user_allowed_addresses")),
    )
    op.create_index(
        "ix_user_allowed_addresses_address", "user_allowed_addresses", ["address"], unique=False
    )
    op.create_table(
        "user_confirmed_addresses",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        _user_fk("user_id", "user_confirmed_addresses", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "address", name=op.f("pk_user_confirmed_addresses")),
    )
    op.create_table(
        "user_blocked_addresses",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("blocked_by", sa.Integer(), nullable=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("user_id", "user_blocked_addresses", "CASCADE"),
        _user_fk("blocked_by", "user_blocked_addresses", "SET NULL"),
        sa.PrimaryKeyConstraint("user_id", "address", name=op.f("pk_user_blocked_addresses")),
    )


def downgrade() -> None:
    op.drop_table("user_blocked_addresses")
    op.drop_table("user_confirmed_addresses")
    op.drop_index("ix_user_allowed_addresses_address", table_name="user_allowed_addresses")
    op.drop_table("user_allowed_addresses")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("block_anonymous_ip")
