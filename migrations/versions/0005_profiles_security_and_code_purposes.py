"""profile details and MFA on users; a purpose and an account for one-time codes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:00:00.000000

`users` gains the profile details (date of birth, gender, pronouns, contact number, a
unique employee id, position, department) and `mfa_enabled`. `one_time_codes` gains
`purpose` (registration, email_change, login; existing codes were all registration codes)
and `user_id`, the account an e-mail change or sign-in code was sent for.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROFILE = (
    ("date_of_birth", sa.Date()),
    ("gender", sa.String(length=40)),
    ("pronouns", sa.String(length=40)),
    ("contact_number", sa.String(length=20)),
    ("employee_id", sa.String(length=20)),
    ("position", sa.String(length=100)),
    ("department", sa.String(length=100)),
)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name, kind in _PROFILE:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.add_column(
            sa.Column("mfa_enabled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_unique_constraint(op.f("uq_users_employee_id"), ["employee_id"])
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose", sa.String(length=16), server_default="registration", nullable=False
            )
        )
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_one_time_codes_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(op.f("ix_one_time_codes_user_id"), ["user_id"], unique=False)
        batch_op.create_check_constraint(
            op.f("ck_one_time_codes_purpose"),
            "purpose IN ('registration', 'email_change', 'login')",
        )


def downgrade() -> None:
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_codes_purpose"), type_="check")
        batch_op.drop_index(op.f("ix_one_time_codes_user_id"))
        batch_op.drop_constraint(op.f("fk_one_time_codes_user_id_users"), type_="foreignkey")
        batch_op.drop_column("user_id")
        batch_op.drop_column("purpose")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_users_employee_id"), type_="unique")
        batch_op.drop_column("mfa_enabled")
        for name, _ in reversed(_PROFILE):
            batch_op.drop_column(name)
