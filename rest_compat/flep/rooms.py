"""GET /api/rooms, /api/rooms/:name; POST /api/rooms/find_free_rooms and
/api/rooms/find_soonest_bookings (FLEP's paths, shapes and messages)."""

from __future__ import annotations

from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from starlette.responses import Response

from domain.errors import DomainError, invalid
from domain.free_rooms import Point
from domain.intervals import Interval
from gateway.services.room_search import FreeRoom
from gateway.services.timetable_records import RoomFacts
from rest_compat import json_input
from rest_compat.flep import times
from rest_compat.flep.envelopes import success
from rest_compat.routing import Call

SELECTION_SHAPE = "Selection must be an array of objects with start and end properties"


def coordinates(room: RoomFacts) -> list[float] | None:
    """FLEP stored `[lat, lon]`, whatever its schema said."""
    point = room.coordinates
    return [point.latitude, point.longitude] if point else None


def listed(room: RoomFacts) -> dict[str, Any]:
    return {
        "name": room.code,
        "type": room.type,
        "coordinates": coordinates(room),
        "building": room.building,
    }


async def rooms(call: Call[None]) -> Response:
    """Every available room."""
    found = await call.app.room_search.rooms(call.principal)
    return success([listed(r) for r in found])


async def room(call: Call[None]) -> Response:
    """A room with its course sessions, then its events (no ad-hoc booking)."""
    name = call.request.path_params["name"]
    try:
        found = await call.app.timetables.room(call.principal, name)
    except DomainError as error:
        raise _message(error, "Room not found") from None
    zone = await call.app.timetables.wall_clock_zone()
    r = found.room
    schedules: list[dict[str, Any]] = [
        {
            "course": {"code": s.course_code, "name": s.course_name},
            "start_datetime": times.render(s.interval.start, zone),
            "end_datetime": times.render(s.interval.end, zone),
            "label": s.label,
        }
        for s in found.sessions
    ]
    schedules += [
        {
            "name": e.name,
            "start_datetime": times.render(e.interval.start, zone),
            "end_datetime": times.render(e.interval.end, zone),
            "label": "event",
        }
        for e in found.events
    ]
    return success(
        {
            "name": r.code,
            "type": r.type,
            "link": None,
            "coordinates": coordinates(r),
            "building": r.building,
            "capacity": r.capacity,
            "level": r.level,
            "schedules": schedules,
        }
    )


async def find_free_rooms(call: Call[None]) -> Response:
    """Rooms free in every slot of `selection` (half-open: back to back is free), across
    course sessions, events and ad-hoc bookings; nearest first with `coordinates`
    (`distance` in metres). The first API's form, the bare array as the body, is
    accepted too. An empty selection lists every room."""
    body = await _body(call)
    if isinstance(body, list):
        body = {"selection": body}
    if not isinstance(body, dict) or "selection" not in body or body["selection"] is None:
        raise invalid("Missing selection", "selection")
    selection = body["selection"]
    if not isinstance(selection, list):
        raise invalid("Selection must be an array", "selection")
    zone = await call.app.timetables.wall_clock_zone()
    slots = [_slot(item, zone) for item in selection]
    near = _near(body.get("coordinates"))
    found = await call.app.room_search.free_rooms(call.principal, slots, near=near)
    if not slots:
        return success([listed(f.room) for f in found])
    return success([_free(f, near) for f in found])


async def find_soonest_bookings(call: Call[None]) -> Response:
    """Every room with its current or next block of bookings after `after_date`
    (touching or overlapping bookings merged, ad-hoc ones as busy time only), or
    `soonest_booking: null` when nothing is left."""
    body = await _body(call)
    raw = body.get("after_date") if isinstance(body, dict) else None
    if raw is None or raw == "":
        raise invalid("Missing after_date", "after_date")
    zone = await call.app.timetables.wall_clock_zone()
    after = times.parse(raw, zone, "Invalid after_date", "after_date")
    found = await call.app.room_search.soonest_bookings(call.principal, after)
    return success(
        [
            {
                "name": s.room.code,
                "soonest_booking": {
                    "start_datetime": times.render(s.block.start, zone),
                    "end_datetime": times.render(s.block.end, zone),
                }
                if s.block
                else None,
            }
            for s in found
        ]
    )


async def _body(call: Call[None]) -> object:
    raw = await call.request.body()
    if not raw.strip():
        return {}
    try:
        return json_input.loads(raw)
    except ValueError:
        raise invalid("Invalid JSON body", None) from None


def _slot(item: object, zone: ZoneInfo) -> Interval:
    if not isinstance(item, dict) or not item.get("start") or not item.get("end"):
        raise invalid(SELECTION_SHAPE, "selection")
    bad = "Selection start and end must be dates, with start before end"
    start = times.parse(item["start"], zone, bad, "selection")
    end = times.parse(item["end"], zone, bad, "selection")
    if not start < end:
        raise invalid(bad, "selection")
    return Interval(start, end)


def _near(raw: object) -> Point | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid("Coordinates must be an object", "coordinates")
    wrong = invalid("Coordinates must have latitude and longitude properties", "coordinates")
    latitude, longitude = raw.get("latitude"), raw.get("longitude")
    if not (_degrees(latitude) and _degrees(longitude)):
        raise wrong
    try:
        return Point(float(latitude), float(longitude))
    except DomainError:
        raise wrong from None


def _degrees(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _free(found: FreeRoom, near: Point | None) -> dict[str, Any]:
    r = found.room
    shown: dict[str, Any] = {"name": r.code, "type": r.type, "coordinates": coordinates(r)}
    if near is not None:
        shown["distance"] = found.distance_m
    return shown


def _message(error: DomainError, message: str) -> DomainError:
    """FLEP's own wording for a 404; any other failure as it is."""
    if error.code.value != "NOT_FOUND":
        return error
    return DomainError(error.code, message, field=error.field)
