"""Each API's envelopes and error table, as bytes."""

from __future__ import annotations

import pytest
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from rest_compat.flep import envelopes as flep
from rest_compat.occupi import envelopes as occupi
from rest_compat.occuspace import envelopes as occuspace

JSON = "application/json; charset=utf-8"


def answer(response: Response) -> tuple[int, str, bytes]:
    return response.status_code, response.headers["content-type"], bytes(response.body)


def test_occupi_success_carries_the_status_in_the_body() -> None:
    assert answer(occupi.success("Successfully booked!", "BOOKOCCUPI20241234")) == (
        200,
        JSON,
        b'{"data":"BOOKOCCUPI20241234","message":"Successfully booked!","status":200}',
    )


@pytest.mark.parametrize(
    ("code", "status", "body"),
    [
        (
            ErrorCode.INVALID_INPUT,
            400,
            b'{"error":{"code":"BAD_REQUEST","details":null,"message":"missing required field: '
            b'roomName"},"message":"Invalid request payload","status":400}',
        ),
        (
            ErrorCode.SLOT_TAKEN,
            400,
            b'{"error":{"code":"BAD_REQUEST","details":null,"message":"Booking coincides with '
            b'another booking"},"message":"Booking coincides with another booking","status":400}',
        ),
        (
            ErrorCode.CHECK_IN_CLOSED,  # no legacy answer: the fallback
            400,
            b'{"error":{"code":"BAD_REQUEST","details":null,"message":"missing required field: '
            b'roomName"},"message":"missing required field: roomName","status":400}',
        ),
    ],
)
def test_occupi_error_table(code: ErrorCode, status: int, body: bytes) -> None:
    response = occupi.failure(DomainError(code, "missing required field: roomName"))
    assert answer(response) == (status, JSON, body)


def test_an_occupi_endpoint_may_override_the_wording() -> None:
    table = {
        **occupi.ERRORS,
        ErrorCode.NOT_FOUND: occupi.LegacyError(
            404, "INTERNAL_SERVER_ERROR", "Booking not found", "Booking not found"
        ),
    }
    response = occupi.failure(DomainError(ErrorCode.NOT_FOUND, "no booking 'X'"), table)
    assert answer(response) == (
        404,
        JSON,
        b'{"error":{"code":"INTERNAL_SERVER_ERROR","details":null,"message":"Booking not found"},'
        b'"message":"Booking not found","status":404}',
    )


def test_occuspace_envelopes() -> None:
    assert answer(occuspace.success([{"id": 1, "parentID": None}])) == (
        200,
        JSON,
        b'{"message":"OK","data":[{"id":1,"parentID":null}]}',
    )
    # v1 answers 401 for a location the token may not see, whether or not it exists.
    missing = DomainError(ErrorCode.NOT_FOUND, "Location 1560 not found or not accessible")
    assert answer(occuspace.failure(missing)) == (
        401,
        JSON,
        b'{"message":"Location 1560 not found or not accessible"}',
    )
    assert answer(occuspace.internal_error()) == (
        500,
        JSON,
        b'{"message":"Internal Server Error"}',
    )


def test_flep_bodies_are_bare() -> None:
    assert answer(flep.success([{"name": "CO1", "coordinates": [46.52, 6.56]}])) == (
        200,
        JSON,
        b'[{"name":"CO1","coordinates":[46.52,6.56]}]',
    )
    missing = DomainError(ErrorCode.NOT_FOUND, "Room not found")
    assert answer(flep.failure(missing)) == (404, JSON, b'{"message":"Room not found"}')
    invalid = DomainError(ErrorCode.INVALID_INPUT, "Missing after_date")
    assert answer(flep.failure(invalid)) == (400, JSON, b'{"message":"Missing after_date"}')
