"""The shim's one JSON reader: every unreadable document is a ValueError, never a 500."""

from __future__ import annotations

import json

import pytest

from rest_compat import json_input


def test_reads_json() -> None:
    assert json_input.loads(b'{"a": [1, null]}') == {"a": [1, None]}


def test_json_nested_too_deeply_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        json_input.loads("[" * 5_000 + "]" * 5_000)


@pytest.mark.parametrize("raw", [b"\xff{", "{", ""])
def test_malformed_json_stays_the_parser_error(raw: str | bytes) -> None:
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
        json_input.loads(raw)
