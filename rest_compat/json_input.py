"""Reading a legacy request's raw JSON, one way for every parser in the shim: the
gateway's one reader of untrusted JSON (domain.json_text), shared with GraphQL."""

from __future__ import annotations

from domain.json_text import loads

__all__ = ["loads"]
