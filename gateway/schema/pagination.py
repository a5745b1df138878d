"""Cursor connections over the services' keyset pages. `totalCount` costs a statement of
its own, so it is counted only when the query selects it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from gateway.schema.context import Info
from gateway.services.records import Page, PageRequest

Node = TypeVar("Node")
Item = TypeVar("Item")


def selects(selections: Iterable[Selection], name: str) -> bool:
    """Whether `name` is selected directly or through fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name == name:
            return True
        if isinstance(selection, FragmentSpread | InlineFragment) and selects(
            selection.selections, name
        ):
            return True
    return False


def page_request(info: Info, first: int, after: str | None) -> PageRequest:
    """The page a connection field asks for; the total only if `totalCount` is selected."""
    fields = info.selected_fields
    wanted = any(selects(f.selections, "totalCount") for f in fields)
    return PageRequest(first=first, after=after, with_total=wanted)


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
