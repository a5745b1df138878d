"""Keyset pages (and offset pages for the legacy page numbers), with the total count
only when it is asked for: one statement per page, plus one for the count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Integer, Select, func, select, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, invalid
from domain.intervals import require_aware
from gateway.services.records import Page, PageRequest, decode_cursor, encode_cursor
from gateway.store.types import UtcDateTime

T = TypeVar("T")


@dataclass(frozen=True)
class Keyset:
    """A list's order: ascending columns whose values together are unique per row."""

    collection: str
    columns: tuple[Column[Any], ...]

    def key(self, row: Row[Any]) -> list[str | int]:
        values = (getattr(row, c.name) for c in self.columns)
        return [v.isoformat() if isinstance(v, datetime) else v for v in values]

    def values(self, cursor: str) -> list[Any]:
        """The cursor's key, typed like the columns it sorts by."""
        key = decode_cursor(cursor, self.collection, len(self.columns))
        typed: list[Any] = []
        for column, value in zip(self.columns, key, strict=True):
            if isinstance(column.type, UtcDateTime):
                typed.append(_instant(value, cursor))
            elif isinstance(column.type, Integer) != isinstance(value, int):
                raise invalid(f"{cursor[:80]!r} is not a cursor this API issued", "after")
            else:
                typed.append(value)
        return typed


def _instant(value: str | int, cursor: str) -> datetime:
    """The cursor's instant in UTC, so that it compares like the stored (UTC) values
    whatever offset it was written with; an instant outside UTC's range is no cursor."""
    bad = invalid(f"{cursor[:80]!r} is not a cursor this API issued", "after")
    try:
        instant = require_aware(datetime.fromisoformat(str(value)), "after")
        return instant.astimezone(UTC)
    except (ValueError, OverflowError, DomainError):
        raise bad from None


@dataclass(frozen=True)
class RowPage:
    """The rows of one page and what the Page around them needs."""

    rows: Sequence[Row[Any]]
    has_next: bool
    total: int | None
    cursors: list[str]
    request: PageRequest

    def of(self, items: Sequence[T]) -> Page[T]:
        """The page, with `items` made from `rows` in the same order."""
        return Page(
            items=items,
            has_next=self.has_next,
            total=self.total,
            offset=self.request.offset,
            cursors=self.cursors,
            has_previous=self.request.after is not None or self.request.offset > 0,
        )


async def fetch_page(
    session: AsyncSession, query: Select[Any], page: PageRequest, keyset: Keyset
) -> RowPage:
    """One page of `query`, ordered by `keyset`: a statement for the rows (one more than
    asked for, to know whether a next page exists) and, if asked, one for the total."""
    total = None
    if page.with_total:
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        total = int(await session.scalar(counted) or 0)
    ordered = query.order_by(*keyset.columns)
    if page.after is not None:
        ordered = ordered.where(tuple_(*keyset.columns) > tuple_(*keyset.values(page.after)))
    elif page.offset:
        ordered = ordered.offset(page.offset)
    rows = (await session.execute(ordered.limit(page.first + 1))).all()
    shown = rows[: page.first]
    cursors = [encode_cursor(keyset.collection, keyset.key(r)) for r in shown]
    return RowPage(shown, len(rows) > page.first, total, cursors, page)
