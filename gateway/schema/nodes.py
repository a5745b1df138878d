"""Fetching nodes for `node(id:)`: each through its use case, so the caller sees exactly
what the matching query would show; what does not exist (or is hidden) is null."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from domain.errors import DomainError, ErrorCode
from gateway.schema.context import Info
from gateway.schema.ids import MAX_REF_LENGTH

N = TypeVar("N")


async def fetch_nodes(
    info: Info, keys: Iterable[str], fetch: Callable[[Info, str], Awaitable[N | None]]
) -> list[N | None]:
    """One node per key; NOT_FOUND (also for something the caller may not see) is null,
    every other refusal (not signed in, say) is the caller's error."""
    info.context.principal.require()
    found: list[N | None] = []
    for key in keys:
        try:
            found.append(await fetch(info, key) if len(key) <= MAX_REF_LENGTH else None)
        except DomainError as error:
            if error.code is not ErrorCode.NOT_FOUND:
                raise
            found.append(None)
    return found
