"""The edge check on a request's values (domain.input_scan) and the row-id range."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.ids import MAX_ROW_ID, check_row_id
from domain.input_scan import InputLimits, scan

SMALL = InputLimits(max_string=5, max_list=3)


@pytest.mark.parametrize(
    ("value", "message", "field"),
    [
        (
            {"input": {"title": "a\ud800"}},
            "input.title contains a lone surrogate (U+D800)",
            "title",
        ),
        ({"q": ["ok", "a\x00"]}, "q[1] contains a control character (U+0000)", "q"),
        ({"input": {"name": "x" * 6}}, "input.name must be at most 5 characters", "name"),
        ({"input": {"ids": [1, 2, 3, 4]}}, "input.ids must have at most 3 items", "ids"),
        ({"bad\ud800key": 1}, "has a name that contains a lone surrogate (U+D800)", None),
    ],
)
def test_the_first_problem_names_its_field(value: object, message: str, field: str | None) -> None:
    found = scan(value, SMALL)
    assert found is not None
    assert (found.code, found.message, found.field) == (ErrorCode.INVALID_INPUT, message, field)


def test_line_breaks_numbers_and_nulls_pass() -> None:
    assert scan({"d": "a\nb\tc", "n": 10**40, "x": None, "b": True, "l": [1.5]}, SMALL) is None


def test_deeply_nested_values_do_not_recurse() -> None:
    nested: object = "\x00"
    for _ in range(5_000):
        nested = [nested]
    found = scan(nested, InputLimits())
    assert found is not None
    assert "U+0000" in found.message


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_whatever_passes_can_be_encoded_as_utf8_json(value: object) -> None:
    if scan(value, InputLimits()) is None:
        assert b"\\u0000" not in json.dumps(value, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("value", [0, -1, MAX_ROW_ID + 1, 10**30])
def test_numbers_no_row_can_have_are_refused(value: int) -> None:
    with pytest.raises(DomainError) as refused:
        check_row_id(value, "id")
    assert refused.value.message == "id must be a whole number from 1 to 2147483647"


def test_the_largest_int4_is_a_row_id() -> None:
    assert check_row_id(MAX_ROW_ID, "id") == 2**31 - 1
