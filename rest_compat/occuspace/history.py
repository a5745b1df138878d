"""GET /v1/locations/:id/{daily_occupancy, hourly_occupancy, daily_visitors,
hourly_visitors, daily_dwell_time}?start=YYYY-MM-DD&end=YYYY-MM-DD: history in the
location's site zone, in the document's named arrays and formats."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import invalid
from domain.history import DwellRow, OccupancyRow, VisitorRow
from domain.occupancy import percentage, round_half_up
from gateway.services.history import LocationHistory
from rest_compat.occuspace.envelopes import OccuspaceEnvelope, OccuspaceError, success
from rest_compat.occuspace.locations import READ_TOKEN, TAGS, UNAUTHORISED, location_id
from rest_compat.routing import Call, Endpoint, Handler, Reply

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIDNIGHT = "00:00:00"


def _day(call: Call[None], name: str) -> date:
    raw = call.request.query_params.get(name)
    if raw is None or not raw.strip():
        raise invalid(f"{name} is required, as YYYY-MM-DD", name)
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            f"{name} must be a date in YYYY-MM-DD format, not {raw[:40]!r}", name
        ) from None


def _stamp(day: date, hour: int = 0) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00"


class DailyOccupancy(BaseModel):
    avgOccupancy: int
    avgPercentageOccupied: float
    peakOccupancy: int
    peakPercentageOccupied: float
    timestamp: str
    normalizedDate: str


class HourlyOccupancy(BaseModel):
    avgOccupancy: int
    avgPercentageOccupied: float
    peakOccupancy: int
    peakPercentageOccupied: float
    normalizedTime: str


class Visitors(BaseModel):
    visitors: int
    timestamp: str
    normalizedDate: str
    normalizedTime: str


class DwellTime(BaseModel):
    avgDwellTime: int
    peakDwellTime: int
    timestamp: str
    normalizedDate: str
    normalizedTime: str


class DailyOccupancyData(BaseModel):
    dailyOccupancy: list[DailyOccupancy]


class HourlyOccupancyData(BaseModel):
    hourlyOccupancy: list[HourlyOccupancy]


class DailyVisitorsData(BaseModel):
    dailyVisitors: list[Visitors]


class HourlyVisitorsData(BaseModel):
    hourlyVisitors: list[Visitors]


class DwellData(BaseModel):
    dailyDwellTimes: list[DwellTime]


class DailyOccupancyBody(OccuspaceEnvelope[DailyOccupancyData]):
    """One row per local day with counts."""


class HourlyOccupancyBody(OccuspaceEnvelope[HourlyOccupancyData]):
    """24 rows, one per hour of day, over the range."""


class DailyVisitorsBody(OccuspaceEnvelope[DailyVisitorsData]):
    """One row per local day."""


class HourlyVisitorsBody(OccuspaceEnvelope[HourlyVisitorsData]):
    """One row per local hour of each day (23 or 25 on DST days)."""


class DwellBody(OccuspaceEnvelope[DwellData]):
    """One row per ended local day with visits longer than 3 minutes."""


def _figures(row: OccupancyRow, capacity: int | None) -> dict[str, object]:
    return {
        "avgOccupancy": round_half_up(row.avg),
        "avgPercentageOccupied": percentage(row.avg, capacity) or 0,
        "peakOccupancy": row.peak,
        "peakPercentageOccupied": percentage(row.peak, capacity) or 0,
    }


def daily_occupancy_rows(found: LocationHistory, _now: datetime) -> dict[str, object]:
    cap = found.occupancy.capacity
    rows = [
        {**_figures(r, cap), "timestamp": _stamp(r.day), "normalizedDate": r.day.isoformat()}
        for r in found.history.daily_occupancy()
        if r.day is not None
    ]
    return {"dailyOccupancy": rows}


def hourly_occupancy_rows(found: LocationHistory, _now: datetime) -> dict[str, object]:
    cap = found.occupancy.capacity
    rows = [
        {**_figures(r, cap), "normalizedTime": f"{r.hour_of_day or 0:02d}:00:00"}
        for r in found.history.hourly_profile()
    ]
    return {"hourlyOccupancy": rows}


def _visitor(row: VisitorRow, found: LocationHistory) -> dict[str, object]:
    hour = row.hour.astimezone(found.history.range.zone).hour if row.hour else 0
    return {
        "visitors": row.visitors,
        "timestamp": _stamp(row.day, hour),
        "normalizedDate": row.day.isoformat(),
        "normalizedTime": f"{hour:02d}:00:00",
    }


def daily_visitor_rows(found: LocationHistory, _now: datetime) -> dict[str, object]:
    return {"dailyVisitors": [_visitor(r, found) for r in found.history.daily_visitors()]}


def hourly_visitor_rows(found: LocationHistory, _now: datetime) -> dict[str, object]:
    return {"hourlyVisitors": [_visitor(r, found) for r in found.history.hourly_visitors()]}


def _dwell(row: DwellRow) -> dict[str, object]:
    return {
        "avgDwellTime": round_half_up(row.avg_minutes),
        "peakDwellTime": round_half_up(row.peak_minutes),
        "timestamp": _stamp(row.day),
        "normalizedDate": row.day.isoformat(),
        "normalizedTime": MIDNIGHT,
    }


def dwell_rows(found: LocationHistory, now: datetime) -> dict[str, object]:
    return {"dailyDwellTimes": [_dwell(r) for r in found.history.daily_dwell(now)]}


Render = Callable[[LocationHistory, datetime], dict[str, object]]

_RANGE = (
    " `start` and `end` are local days (YYYY-MM-DD) of the location's site zone, at most "
    "366 of them; a range reaching before the first count is answered from it on, with "
    '`message` "Data unavailable before YYYY-MM-DD" (or "RANGE MISSING" and empty '
    "arrays when nothing was counted by `end`). Percentages are fractions rounded "
    "half-up to 2 decimals (0 when the capacity is unknown); `timestamp` is the local "
    "start of the day or hour, `YYYY-MM-DD HH:MM:SS`."
)


def _handler(name: str, render: Render, doc: str) -> Handler:
    async def handler(call: Call[None]) -> Response:
        location = location_id(call)
        first, last = _day(call, "start"), _day(call, "end")
        found = await call.app.history.of(call.principal, location, first, last)
        return success(render(found, call.app.clock.now()), found.message)

    handler.__name__ = name
    handler.__doc__ = doc + _RANGE
    return handler


def _endpoint(name: str, render: Render, body: type, summary: str, doc: str) -> Endpoint:
    return Endpoint(
        "GET",
        f"/locations/{{id}}/{name}",
        _handler(name, render, doc),
        summary=summary,
        responses={
            200: Reply(body, "The rows and a message."),
            400: Reply(OccuspaceError, "start or end missing, malformed or reversed; a bad id."),
            401: UNAUTHORISED,
        },
        guard=READ_TOKEN,
        tags=TAGS,
    )


ENDPOINTS = (
    _endpoint(
        "daily_occupancy",
        daily_occupancy_rows,
        DailyOccupancyBody,
        "Average and peak people per day.",
        "Per local day with counts: the mean of the hourly means and the peak.",
    ),
    _endpoint(
        "hourly_occupancy",
        hourly_occupancy_rows,
        HourlyOccupancyBody,
        "Average and peak people per hour of day over the range.",
        "24 rows: for each hour of day, the mean and the peak over the range's days.",
    ),
    _endpoint(
        "daily_visitors",
        daily_visitor_rows,
        DailyVisitorsBody,
        "Entries per day.",
        "Visitors are entries, not unique people.",
    ),
    _endpoint(
        "hourly_visitors",
        hourly_visitor_rows,
        HourlyVisitorsBody,
        "Entries per hour of each day.",
        "One row per local hour of each day: 23 or 25 on DST days.",
    ),
    _endpoint(
        "daily_dwell_time",
        dwell_rows,
        DwellBody,
        "Minutes per visit, per day.",
        "Average and longest visit in minutes (rounded half-up) per ended local day; "
        "visits of 3 minutes or less are left out.",
    ),
)
