"""Offset pages with a total count: two statements, whatever the page size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.records import Page, PageRequest

T = TypeVar("T")


async def fetch_page(
    session: AsyncSession,
    query: Select[Any],
    page: PageRequest,
) -> tuple[Sequence[Row[Any]], int]:
    """Rows of one page of `query` (already ordered) and the total count of the query."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.limit(page.first).offset(page.offset))).all()
    return rows, int(total or 0)


def as_page(items: Sequence[T], total: int, page: PageRequest) -> Page[T]:
    return Page(items=items, total=total, offset=page.offset)
