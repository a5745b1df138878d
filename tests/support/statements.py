"""Counting the SQL statements a request sends, on the engine the app really uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from gateway.app import Gateway


@contextmanager
def counting_statements(gateway: Gateway) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block (BEGIN/ROLLBACK issued by
    the driver itself are not statements; the SQLite `BEGIN` of gateway.store.engine is)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = gateway.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
