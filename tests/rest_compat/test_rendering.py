"""The JSON dialects: Gin's (sorted, HTML-escaped) and Express's, numbers as ECMAScript."""

from __future__ import annotations

import pytest

from rest_compat.rendering import Struct, express_json, go_json


def test_gin_sorts_map_keys_at_every_level_but_keeps_struct_order() -> None:
    value = {"status": 200, "data": [{"b": 1, "a": Struct(end="x", start="y")}], "message": ""}
    assert go_json(value) == (
        b'{"data":[{"a":{"end":"x","start":"y"},"b":1}],"message":"","status":200}'
    )


def test_gin_escapes_html_and_line_separators_but_not_other_text() -> None:
    assert go_json('a<b>&c\u2028\u2029é\n"') == (
        b'"a\\u003cb\\u003e\\u0026c\\u2028\\u2029\xc3\xa9\\n\\""'
    )


def test_express_keeps_insertion_order_and_escapes_nothing_extra() -> None:
    assert express_json({"message": "OK", "data": ["<&>"]}) == b'{"message":"OK","data":["<&>"]}'


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (1.0, b"1"),
        (100.0, b"100"),
        (0.5, b"0.5"),
        (0.07, b"0.07"),
        (-0.0, b"0"),
        (1e-6, b"0.000001"),
        (1e-7, b"1e-7"),
        (-2.5e-10, b"-2.5e-10"),
        (1e20, b"100000000000000000000"),
        (1e21, b"1e+21"),
        (1.2345678901234567e19, b"12345678901234567000"),
        (42, b"42"),
        (True, b"true"),
        (None, b"null"),
    ],
)
def test_numbers_are_written_as_ecmascript_does(number: object, written: bytes) -> None:
    assert go_json(number) == written
    assert express_json(number) == written


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1: "non-string key"}, object()])
def test_what_is_not_json_is_refused(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        go_json(value)
