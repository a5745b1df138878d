"""DateTime and Date as Strawberry parses them, but bounded (`domain.time_bounds`): an
instant outside the years 1970-2100 (UTC) or a date outside 1900-2100 (birth dates
reach back) is refused as it is parsed, so that no resolver can overflow on it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from domain.errors import ErrorCode
from domain.time_bounds import EARLIEST, FIRST_YEAR, LAST_YEAR, LATEST

FIRST_DATE_YEAR = 1900


def _refused(kind: str, value: object, bounds: str) -> StrawberryInputCoercionError:
    shown = str(value)[:40]
    return StrawberryInputCoercionError(
        f'Value cannot represent a {kind}: "{shown}". A {kind} must be {bounds}.',
        extensions={"code": ErrorCode.INVALID_INPUT.value},
    )


def _datetime(value: object) -> Any:
    parsed = DateTimeDefinition.parse_value(value)  # type: ignore[misc]
    if isinstance(parsed, datetime):
        try:
            in_utc = parsed.astimezone(UTC) if parsed.utcoffset() is not None else parsed
        except OverflowError:
            in_utc = None
        bounded = in_utc is not None and (
            EARLIEST <= in_utc < LATEST
            if in_utc.tzinfo is not None
            else FIRST_YEAR <= in_utc.year <= LAST_YEAR
        )
        if not bounded:
            raise _refused("DateTime", value, f"between {FIRST_YEAR} and {LAST_YEAR} (UTC)")
    return parsed


def _date(value: object) -> Any:
    parsed = DateDefinition.parse_value(value)  # type: ignore[misc]
    if isinstance(parsed, date) and not FIRST_DATE_YEAR <= parsed.year <= LAST_YEAR:
        raise _refused("Date", value, f"between {FIRST_DATE_YEAR} and {LAST_YEAR}")
    return parsed


BOUNDED_SCALARS: dict[object, ScalarDefinition] = {
    datetime: dataclasses.replace(DateTimeDefinition, parse_value=_datetime),
    date: dataclasses.replace(DateDefinition, parse_value=_date),
}
