"""The text rule (domain.text): no lone surrogates, no control characters except the line
breaks of multi-line text, a cap per kind; plain cases and Hypothesis."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.text import TextCap, check_text, clean_optional, clean_text, text_problem

LINE_BREAKS = "\t\n\r"
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in LINE_BREAKS]
T = TypeVar("T")


def outcome(call: Callable[..., T], *args: object) -> T | DomainError:
    """What `call` returns, or the DomainError it raises."""
    try:
        return call(*args)
    except DomainError as error:
        return error


def refusal(value: str, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as refused:
        clean_text(value, "title", TextCap.TITLE, **kwargs)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "title")
    return refused.value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("\ud800", "title contains a lone surrogate (U+D800)", id="lone-high"),
        pytest.param("ok\udfff", "title contains a lone surrogate (U+DFFF)", id="lone-low"),
        pytest.param("a\x00b", "title contains a control character (U+0000)", id="nul"),
        pytest.param("a\x1bb", "title contains a control character (U+001B)", id="escape"),
        pytest.param("a\x7fb", "title contains a control character (U+007F)", id="delete"),
        pytest.param("a\x85b", "title contains a control character (U+0085)", id="c1"),
        pytest.param("two\nlines", "title contains a control character (U+000A)", id="newline"),
        pytest.param("x" * 201, "title must be at most 200 characters", id="too-long"),
    ],
)
def test_single_line_text_refuses(value: str, message: str) -> None:
    assert refusal(value).message == message


def test_multi_line_text_keeps_its_line_breaks_but_no_other_control() -> None:
    assert clean_text("one\n\ttwo\r\n", "d", 100, multiline=True) == "one\n\ttwo"
    with pytest.raises(DomainError, match=r"U\+0000"):
        clean_text("one\x00", "d", 100, multiline=True)


def test_text_is_trimmed_before_its_length_is_counted() -> None:
    assert clean_text("  " + "x" * 200 + "  ", "title", TextCap.TITLE) == "x" * 200


def test_required_text_cannot_be_blank() -> None:
    assert refusal("   ", required=True).message == "title cannot be empty"


def test_an_optional_filter_is_none_when_blank() -> None:
    assert clean_optional(None, "search", TextCap.SEARCH) is None
    assert clean_optional("  ", "search", TextCap.SEARCH) is None
    assert clean_optional(" ab ", "search", TextCap.SEARCH) == "ab"
    with pytest.raises(DomainError, match="search must be at most 254 characters"):
        clean_optional("a" * 50_001, "search", TextCap.SEARCH)


def test_ordinary_unicode_passes() -> None:
    for value in ("Zoë's room", "会议室", "🙂 pair of surrogates in UTF-16", "\u200b\ufeff"):
        assert check_text(value, "name") == value


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs"))))
def test_text_without_controls_or_surrogates_is_accepted(value: str) -> None:
    assert text_problem(value) is None
    assert check_text(value, "name") == value


@given(st.text(), st.integers(0xD800, 0xDFFF).map(chr), st.text())
def test_a_lone_surrogate_anywhere_is_refused(before: str, surrogate: str, after: str) -> None:
    problem = text_problem(before + surrogate + after, multiline=True)
    assert problem is not None
    assert "U+" in problem


@given(st.text(), st.sampled_from(CONTROLS))
def test_a_control_character_is_refused_even_in_multi_line_text(text: str, control: str) -> None:
    assert text_problem(text + control, multiline=True) is not None


@given(st.text(min_size=1))
def test_whatever_is_accepted_encodes_as_utf8_without_nul(value: str) -> None:
    if text_problem(value, multiline=True) is None:
        encoded = value.encode("utf-8")
        assert b"\x00" not in encoded


@given(st.integers(min_value=1, max_value=300), st.text(alphabet="ab ", max_size=400))
def test_accepted_text_is_within_its_cap(limit: int, value: str) -> None:
    cleaned = outcome(clean_text, value, "name", limit)
    if isinstance(cleaned, DomainError):
        assert cleaned.field == "name"
        assert len(value.strip()) > limit
    else:
        assert len(cleaned) <= limit
        assert cleaned == value.strip()


def test_the_caps_are_ordered_and_documented() -> None:
    assert TextCap.CODE < TextCap.NAME < TextCap.TITLE <= TextCap.SEARCH < TextCap.DESCRIPTION
    assert TextCap.DESCRIPTION < TextCap.ANY
