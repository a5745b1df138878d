"""Reading untrusted JSON text, one way for every entry point (GraphQL over HTTP and
WebSocket, and the REST shim)."""

from __future__ import annotations

import json
from typing import Any


def loads(raw: str | bytes) -> Any:
    """`json.loads`, except that a document nested deeper than Python's parser recurses
    is a ValueError, like any other JSON the caller cannot read: the parser raises
    RecursionError for it, which would otherwise escape as a 500. Bytes that are not
    UTF-8 stay the UnicodeDecodeError (also a ValueError) the parser raises."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
