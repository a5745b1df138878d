"""legacy registrations waiting for their code; password-reset codes

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01 12:00:00.000000

`pending_registrations` keeps, per address, the hashed password (and push device) a
legacy client gave at /auth/register until /auth/verify-otp redeems the mailed code.
`one_time_codes.purpose` may also be `reset`: a code mailed for a forgotten password.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "purpose IN ('registration', 'email_change', 'login')"
_AFTER = "purpose IN ('registration', 'email_change', 'login', 'reset')"


def _purposes(allowed: str) -> None:
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_codes_purpose"), type_="check")
        batch_op.create_check_constraint(op.f("ck_one_time_codes_purpose"), allowed)


def upgrade() -> None:
    op.create_table(
        "pending_registrations",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("push_token", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_pending_registrations")),
    )
    _purposes(_AFTER)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM one_time_codes WHERE purpose = 'reset'"))
    _purposes(_BEFORE)
    op.drop_table("pending_registrations")
