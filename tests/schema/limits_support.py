"""Helpers for the GraphQL limit tests: documents from the probe, statement counting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from gateway.app import Gateway


def fragment_bomb() -> str:
    """The probe's 583-byte document: ten levels of fragments over `locations { parent
    children }`, each level doubling the fields, inside the depth, alias and token limits."""
    levels = [
        f"fragment L{n} on Location{{parent{{...L{n - 1}}}children{{...L{n - 1}}}}}"
        for n in range(1, 10)
    ]
    head = "{locations(first:100){edges{node{...L9}}}}"
    leaves = "fragment L0 on Location{id number kind name timeZone}"
    return "\n".join([head, *levels, leaves]) + "\n"


@contextmanager
def counting_statements(gateway: Gateway) -> Iterator[list[str]]:
    """Every SQL statement the gateway's engine sends while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = gateway.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
