"""Reading a legacy request's raw JSON, one way for every parser in the shim."""

from __future__ import annotations

import json
from typing import Any


def loads(raw: str | bytes) -> Any:
    """`json.loads`, except that a document nested deeper than Python's parser recurses
    is a ValueError, like any other JSON the shim cannot read: the parser raises
    RecursionError for it, which would otherwise escape as a 500."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
