"""schema.graphql is the committed SDL; it must match what the code builds."""

from __future__ import annotations

from pathlib import Path

from gateway.schema.build import build_schema

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    built = build_schema().as_str() + "\n"
    assert COMMITTED.read_text() == built, "schema.graphql is stale: run `make schema`"
