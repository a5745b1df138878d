"""A cap on the operations one user keeps open over WebSockets at once, over all their
connections (the cap per connection is Strawberry's `max_subscriptions_per_connection`).

An operation counts from its first result until it ends or is stopped; over the cap, the
operation gets one SUBSCRIPTION_LIMIT error and nothing is started for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket
from strawberry.types.execution import PreExecutionError

from gateway.schema.context import Context
from gateway.schema.limits import refusal

Start = Callable[[], Awaitable[Any]]


class SubscriptionCaps:
    """Counts the open WebSocket operations per signed-in user, in this process."""

    def __init__(self, per_user: int) -> None:
        self._per_user = per_user
        self._open: Counter[int] = Counter()

    def open_for(self, user_id: int) -> int:
        return self._open[user_id]

    async def guard(self, context: Context, start: Start) -> Any:
        actor = context.connection_principal.actor
        if not isinstance(context.request, WebSocket) or actor is None:
            return await start()
        if self._open[actor.user_id] >= self._per_user:
            return self._refused()
        return self._counted(actor.user_id, await start())

    async def _counted(self, user_id: int, source: AsyncIterator[Any]) -> AsyncGenerator[Any]:
        try:
            if self._open[user_id] >= self._per_user:  # others opened since the check
                yield self._error()
                return
            self._open[user_id] += 1
            try:
                async for result in source:
                    yield result
            finally:
                self._open[user_id] -= 1
                if self._open[user_id] <= 0:
                    del self._open[user_id]
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()

    async def _refused(self) -> AsyncGenerator[Any]:
        yield self._error()

    def _error(self) -> PreExecutionError:
        limit = self._per_user
        return PreExecutionError(
            data=None,
            errors=[
                refusal(
                    f"You already have {limit} subscriptions open, the most one user may "
                    "have at once; stop one first",
                    "SUBSCRIPTION_LIMIT",
                    limit=limit,
                )
            ],
        )
