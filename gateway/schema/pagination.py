"""Cursor connections with totalCount over the services' offset pages."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from domain.errors import invalid
from gateway.services.records import Page, PageRequest

Node = TypeVar("Node")
Item = TypeVar("Item")
_PREFIX = "offset:"
MAX_OFFSET = 2**62  # far past any real list, well inside the database's integers


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        offset = int(raw.removeprefix(_PREFIX)) if raw.startswith(_PREFIX) else -1
        if not 0 <= offset < MAX_OFFSET:
            raise ValueError(raw)
        return offset
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid(f"{cursor!r} is not a cursor this API issued", "after") from None


def page_request(first: int, after: str | None) -> PageRequest:
    return PageRequest(first=first, offset=decode_cursor(after) + 1 if after else 0)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[Item], wrap: Callable[[Item], Node]) -> Connection[Node]:
        edges = [
            Edge(cursor=encode_cursor(page.offset + i), node=wrap(item))
            for i, item in enumerate(page.items)
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
        )
