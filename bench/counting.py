"""SQL statements counted inside a benchmarked server: a `before_cursor_execute` listener on
its engine, read over HTTP at STATEMENTS_PATH. Bench-only; nothing in gateway/ knows of it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

STATEMENTS_PATH = "/_bench/statements"


class StatementCounter:
    """Counts every statement the engine's connections execute, from its installation on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def with_statements(app: ASGIApp, counter: StatementCounter) -> ASGIApp:
    """`app`, plus GET STATEMENTS_PATH answering `{"statements": N}` (N so far)."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == STATEMENTS_PATH:
            body = json.dumps({"statements": counter.count}).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return served
