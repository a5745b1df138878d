"""profile and room images (images) and their variants' bytes (image_variants)

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01 11:00:00.000000

`images` has one row per profile or room image, at most one per owner, with the size of
each of its four variants; `image_variants` holds their bytes when images are stored in
the database (the default ImageStore).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUALITIES = ("thumbnail", "low", "mid", "high")


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        *(
            sa.Column(f"{quality}_{side}", sa.Integer(), nullable=False)
            for quality in QUALITIES
            for side in ("width", "height")
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("owner_kind IN ('profile', 'room')", name=op.f("ck_images_owner_kind")),
        sa.CheckConstraint("format IN ('jpeg', 'png')", name=op.f("ck_images_format")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("owner_kind", "owner_id", name=op.f("uq_images_owner_kind_owner_id")),
    )
    op.create_table(
        "image_variants",
        sa.Column("image_id", sa.String(length=36), nullable=False),
        sa.Column("quality", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "quality IN ('thumbnail', 'low', 'mid', 'high')",
            name=op.f("ck_image_variants_quality"),
        ),
        sa.PrimaryKeyConstraint("image_id", "quality", name=op.f("pk_image_variants")),
    )


def downgrade() -> None:
    op.drop_table("image_variants")
    op.drop_table("images")
