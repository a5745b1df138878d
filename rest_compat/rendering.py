"""The JSON dialects of the original servers, byte for byte.

Occupi ran on Gin (`encoding/json`): map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
escaped, compact. Occuspace and FLEP ran on Express (`JSON.stringify`): keys in insertion
order, nothing HTML-escaped, compact. Both write numbers the ECMAScript way (`1`, not
`1.0`; `1e-7`, not `1e-07`), which Python's `json` does not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

JSON_UTF8 = "application/json; charset=utf-8"

_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
# These characters can only occur inside JSON strings, so escaping the finished text is safe.
_GO_ESCAPE = re.compile("[<>&\u2028\u2029]")


class Struct(dict[str, Any]):
    """A Go struct rather than a Go map: its keys keep their declared order in Gin's output."""


def go_json(value: object) -> bytes:
    """`value` as Gin's `ctx.JSON` writes it."""
    text = _encode(value, sort_maps=True)
    return _GO_ESCAPE.sub(lambda found: _GO_ESCAPES[found.group()], text).encode()


def express_json(value: object) -> bytes:
    """`value` as Express's `res.json` writes it."""
    return _encode(value, sort_maps=False).encode()


def json_response(body: bytes, status: int) -> Response:
    """Both servers sent `application/json; charset=utf-8`."""
    return Response(body, status_code=status, media_type=JSON_UTF8)


def _encode(value: object, *, sort_maps: bool) -> str:
    if isinstance(value, Mapping):
        items = list(value.items())
        if sort_maps and not isinstance(value, Struct):
            items.sort()
        members = (f"{_string(key)}:{_encode(item, sort_maps=sort_maps)}" for key, item in items)
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item, sort_maps=sort_maps) for item in value) + "]"
    if isinstance(value, float):
        return _number(value)
    if value is None or isinstance(value, bool | int):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"{type(value).__name__} is not JSON: render it to plain data first")


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"JSON object keys must be strings, not {type(value).__name__}")
    return json.dumps(value, ensure_ascii=False)


def _number(value: float) -> str:
    """ECMAScript Number::toString, which Go's encoder copies: plain notation for
    1e-6 <= |x| < 1e21, otherwise exponent notation without a padded exponent."""
    if not math.isfinite(value):
        raise ValueError("NaN and infinities are not JSON")
    if value == 0:
        return "0"
    shortest = repr(value)
    if 1e-6 <= abs(value) < 1e21:
        plain = format(Decimal(shortest), "f")
        return plain.rstrip("0").rstrip(".") if "." in plain else plain
    # repr already uses exponent notation below 1e-4 and from 1e16 on.
    mantissa, _, exponent = shortest.partition("e")
    return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{int(exponent.lstrip('+-'))}"
