"""The query object of Occupi's collection endpoints (§5.6, §5.7), as a pure module: the
body and query-string forms, the whitelist, typed values, paging and projection."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from gateway.services.records import Page
from rest_compat.occupi.filters import (
    MAX_LIMIT,
    Collection,
    Condition,
    FilterField,
    meta,
    project,
    read_query,
)

ROOMS = Collection(
    "rooms",
    {
        "roomId": FilterField(str, frozenset({"eq", "in"})),
        "floorNo": FilterField(str),
        "maxOccupancy": FilterField(int, frozenset({"gte"})),
    },
    ("roomId", "roomName", "floorNo"),
    {"roomId": frozenset({True})},
)


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def refusal(raw: bytes = b"", params: dict[str, str] | None = None) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as caught:
        read_query(ROOMS, raw, params or {})
    assert caught.value.code is ErrorCode.INVALID_INPUT
    return caught.value.message, caught.value.field


def test_the_body_and_the_query_string_say_the_same() -> None:
    from_body = read_query(
        ROOMS,
        body(filter={"roomId": "RM001"}, projection=["roomId", "floorNo"], limit=10, page=2),
        {},
    )
    from_url = read_query(
        ROOMS,
        b"",
        {
            "filter": '{"roomId": "RM001"}',
            "projection": "roomId, floorNo",
            "limit": "10",
            "page": "2",
        },
    )
    assert from_body == from_url
    assert from_body.conditions == {"roomId": Condition("eq", "RM001")}
    assert from_body.projection == ("roomId", "floorNo")
    assert from_body.page_request().offset == 10
    assert from_body.page_request().first == 10


def test_defaults_are_the_first_page_of_fifty() -> None:
    query = read_query(ROOMS, b"", {})
    assert (query.limit, query.page, query.sort, query.projection) == (50, 1, None, None)
    assert query.conditions == {}


@pytest.mark.parametrize(("limit", "expected"), [(0, 50), (-1, 50), (51, 50), (100, 50), (7, 7)])
def test_limit_is_capped_at_fifty(limit: int, expected: int) -> None:
    assert read_query(ROOMS, body(limit=limit), {}).limit == expected


@pytest.mark.parametrize(("page", "expected"), [(0, 1), (-3, 1), (4, 4)])
def test_page_starts_at_one(page: int, expected: int) -> None:
    assert read_query(ROOMS, body(page=page), {}).page == expected


def test_one_operator_applies_to_every_field_and_lists_go_with_in() -> None:
    query = read_query(ROOMS, body(operator="in", filter={"roomId": ["RM1", "RM2"]}), {})
    assert query.conditions["roomId"] == Condition("in", ("RM1", "RM2"))
    assert query.equal_to("roomId") == ("RM1", "RM2")
    gte = read_query(ROOMS, body(operator="gte", filter={"maxOccupancy": 4}), {})
    assert gte.conditions["maxOccupancy"] == Condition("gte", 4)


def test_a_number_for_a_text_field_is_taken_as_text() -> None:
    query = read_query(ROOMS, body(filter={"floorNo": 3}), {})
    assert query.conditions["floorNo"] == Condition("eq", "3")


@pytest.mark.parametrize(
    ("raw", "message", "field"),
    [
        (
            body(filter={"password": "x"}),
            "filter.password: not a filter of rooms",
            "filter.password",
        ),
        (
            body(filter={"roomId": {"$ne": None}}),
            "filter.roomId: must be a string",
            "filter.roomId",
        ),
        (body(operator="regex"), "operator: 'regex' is not one of", "operator"),
        (
            body(operator="gt", filter={"roomId": "RM1"}),
            "filter.roomId: the operator gt does not apply",
            "filter.roomId",
        ),
        (
            body(operator="in", filter={"roomId": "RM1"}),
            "filter.roomId: in takes a list",
            "filter.roomId",
        ),
        (
            body(filter={"maxOccupancy": True}),
            "filter.maxOccupancy: the operator eq",
            "filter.maxOccupancy",
        ),
        (
            body(projection=["password"]),
            "projection: 'password' is not a field of rooms",
            "projection",
        ),
        (body(projection="roomId"), "projection must be a list", "projection"),
        (body(order_desc="roomId"), "order_desc: rooms cannot be sorted so", "order_desc"),
        (body(order_asc="roomName"), "order_asc: rooms cannot be sorted so", "order_asc"),
        (body(limit="50"), "Invalid limit format", "limit"),
        (body(page=10**9), "page must be at most", "page"),
        (body(filter=["roomId"]), "filter must be a JSON object", "filter"),
        (b"[1]", "the query must be a JSON object", None),
        (b"{oops", "Invalid JSON payload", None),
    ],
)
def test_anything_off_the_whitelist_is_refused_by_name(
    raw: bytes, message: str, field: str | None
) -> None:
    found, where = refusal(raw)
    assert found.startswith(message)
    assert where == field


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "ten"}, "Invalid limit format"),
        ({"page": "1.5"}, "Invalid page format"),
        ({"filter": "{not json"}, "Invalid filter format"),
    ],
)
def test_query_string_formats_are_checked(params: dict[str, str], message: str) -> None:
    assert refusal(params=params)[0] == message


def test_projection_picks_columns_and_an_empty_page_is_null() -> None:
    query = read_query(ROOMS, body(projection=["floorNo", "roomId", "floorNo"]), {})
    rows = [{"roomId": "RM1", "roomName": "A", "floorNo": "3"}]
    assert project(query, rows) == [{"floorNo": "3", "roomId": "RM1"}]
    assert project(query, []) is None


def test_meta_counts_this_pages_rows_as_the_original_did() -> None:
    query = read_query(ROOMS, body(limit=2, page=2), {})
    assert meta(query, Page(["a", "b"], has_next=True, total=5)) == {
        "currentPage": 2,
        "totalPages": 3,
        "totalResults": 2,
    }
    assert meta(read_query(ROOMS, b"", {}), Page([], has_next=False, total=0)) == {
        "currentPage": 1,
        "totalPages": 0,
        "totalResults": 0,
    }


@given(
    st.dictionaries(
        st.text(max_size=8), st.none() | st.integers() | st.text(max_size=8), max_size=4
    )
)
def test_any_filter_object_is_either_checked_or_refused_with_invalid_input(
    raw_filter: dict[str, object],
) -> None:
    known = set(raw_filter) <= set(ROOMS.filters)
    if not known:
        with pytest.raises(DomainError) as caught:
            read_query(ROOMS, body(filter=raw_filter), {})
        assert caught.value.code is ErrorCode.INVALID_INPUT
        assert caught.value.field is not None
        return
    try:
        query = read_query(ROOMS, body(filter=raw_filter), {})
    except DomainError as error:  # a known field with a badly typed value
        refused = error
    else:
        assert set(query.conditions) <= set(ROOMS.filters)
        assert query.limit <= MAX_LIMIT
        return
    assert (refused.code, refused.field is not None) == (ErrorCode.INVALID_INPUT, True)
