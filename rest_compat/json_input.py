"""Reading a legacy request's raw JSON, one way for every parser in the shim."""

from __future__ import annotations

import json
from typing import Any

from domain.input_scan import InputLimits, scan


def loads(raw: str | bytes) -> Any:
    """`json.loads`, except that a document nested deeper than Python's parser recurses
    is a ValueError, like any other JSON the shim cannot read: the parser raises
    RecursionError for it, which would otherwise escape as a 500. JSON that parses but
    holds a string or list no input may (a lone surrogate, a NUL, over the default caps
    of `domain.input_scan`) is the DomainError naming it, which the API renders as a 400."""
    try:
        parsed = json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    refusal = scan(parsed, InputLimits())
    if refusal is not None:
        raise refusal
    return parsed
