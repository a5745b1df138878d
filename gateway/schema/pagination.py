"""Cursor connections over the services' keyset pages. `totalCount` costs a statement of
its own, so it is counted only when the query selects it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from gateway.schema.context import Info
from gateway.schema.lookahead import asks_for
from gateway.services.records import Page, PageRequest

Node = TypeVar("Node")
Item = TypeVar("Item")


def page_request(info: Info, first: int, after: str | None) -> PageRequest:
    """The page a connection field asks for; the total only if `totalCount` is selected."""
    return PageRequest(first=first, after=after, with_total=asks_for(info, "totalCount"))


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
    total: strawberry.Private[int | None]

    @strawberry.field(description="How many items match, over all pages.")
    def total_count(self) -> int:
        if self.total is None:
            raise RuntimeError("totalCount was selected but not counted")
        return self.total

    @classmethod
    def of(cls, page: Page[Item], wrap: Callable[[Item], Node]) -> Connection[Node]:
        edges = [
            Edge(cursor=cursor, node=wrap(item))
            for cursor, item in zip(page.cursors, page.items, strict=True)
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total=page.total,
        )
