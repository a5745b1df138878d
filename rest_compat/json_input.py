"""Reading a legacy request's raw JSON, one way for every parser in the shim: the
gateway's one reader of untrusted JSON text (`domain.json_text`), then the input scan."""

from __future__ import annotations

from typing import Any

from domain import json_text
from domain.input_scan import InputLimits, scan


def loads(raw: str | bytes) -> Any:
    """`domain.json_text.loads` (too deep a document is a ValueError, like any other JSON
    the shim cannot read). JSON that parses but holds a string or list no input may (a
    lone surrogate, a NUL, over the default caps of `domain.input_scan`) is the
    DomainError naming it, which the API renders as a 400."""
    parsed = json_text.loads(raw)
    refusal = scan(parsed, InputLimits())
    if refusal is not None:
        raise refusal
    return parsed
