"""Baseline (b), the floor: the same SQL run directly with SQLAlchemy Core (aiosqlite, the
gateway's own engine settings) and serialised to JSON, with no GraphQL at all.

A tiny Starlette app answering POST /graphql for four documents of bench.queries, told
apart by their text: TRIVIAL (a constant), ME, ROOM and NESTED. The caller's JWT is
verified with PyJWT; answers have the shape GraphQL would give them.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import queries
from bench.bulk import ZONE
from gateway.auth.tokens import AUDIENCE, ISSUER
from gateway.store.engine import create_engine
from gateway.store.tables import booking_attendees, bookings, locations, rooms, users

Handler = Callable[[AsyncConnection, dict[str, Any], dict[str, Any]], Awaitable[object]]
TRIVIAL_ANSWER = b'{"data":{"__typename":"Query"}}'


def _iso(instant: datetime) -> str:
    return instant.isoformat()


async def _me(db: AsyncConnection, claims: dict[str, Any], _variables: dict[str, Any]) -> object:
    row = (
        await db.execute(
            select(users.c.email, users.c.name).where(users.c.id == int(claims["sub"]))
        )
    ).one()
    return {"me": {"email": row.email, "name": row.name}}


async def _room(db: AsyncConnection, _claims: dict[str, Any], variables: dict[str, Any]) -> object:
    found = (
        await db.execute(
            select(rooms.c.code, locations.c.name, rooms.c.max_occupancy)
            .join(locations, locations.c.id == rooms.c.location_id)
            .where(rooms.c.code == variables["id"])
        )
    ).one()
    return {"room": {"code": found.code, "name": found.name, "maxOccupancy": found.max_occupancy}}


async def _nested(
    db: AsyncConnection, _claims: dict[str, Any], variables: dict[str, Any]
) -> object:
    """Three statements: the floor's rooms (with the floor's name), their bookings of the
    day, and those bookings' attendees with their accounts."""
    floor_id = int(base64.b64decode(variables["floor"]).decode().rpartition(":")[2])
    floor = locations.alias("floor")
    room_rows = (
        await db.execute(
            select(rooms.c.location_id, rooms.c.code, locations.c.name, floor.c.name.label("floor"))
            .join(locations, locations.c.id == rooms.c.location_id)
            .join(floor, floor.c.id == locations.c.parent_id)
            .where(locations.c.parent_id == floor_id)
            .order_by(rooms.c.code)
            .limit(10)
        )
    ).all()
    day = date.fromisoformat(variables["date"])
    start = datetime.combine(day, time(), tzinfo=ZONE)
    booking_rows = (
        await db.execute(
            select(
                bookings.c.id,
                bookings.c.room_id,
                bookings.c.code,
                bookings.c.starts_at,
                bookings.c.ends_at,
            )
            .where(
                bookings.c.room_id.in_([r.location_id for r in room_rows]),
                bookings.c.status == "active",
                bookings.c.starts_at < start + timedelta(days=1),
                bookings.c.ends_at > start,
            )
            .order_by(bookings.c.starts_at)
        )
    ).all()
    attendee_rows = (
        await db.execute(
            select(booking_attendees.c.booking_id, booking_attendees.c.email, users.c.name)
            .outerjoin(users, users.c.id == booking_attendees.c.user_id)
            .where(booking_attendees.c.booking_id.in_([b.id for b in booking_rows]))
            .order_by(booking_attendees.c.booking_id, booking_attendees.c.position)
        )
    ).all()
    attendees: dict[int, list[object]] = defaultdict(list)
    for a in attendee_rows:
        attendees[a.booking_id].append(
            {"email": a.email, "user": {"name": a.name} if a.name else None}
        )
    of_room: dict[int, list[object]] = defaultdict(list)
    for b in booking_rows:
        of_room[b.room_id].append(
            {
                "code": b.code,
                "start": _iso(b.starts_at),
                "end": _iso(b.ends_at),
                "attendees": attendees[b.id],
            }
        )
    edges = [
        {
            "node": {
                "code": r.code,
                "name": r.name,
                "floor": {"name": r.floor},
                "bookings": of_room[r.location_id],
            }
        }
        for r in room_rows
    ]
    return {"rooms": {"edges": edges}}


HANDLERS: dict[str, Handler] = {queries.ME: _me, queries.ROOM: _room, queries.NESTED: _nested}


def create_floor_app(database_url: str, jwt_secret: str) -> tuple[Starlette, AsyncEngine]:
    """The floor app and its engine (for the statement counter)."""
    engine = create_engine(database_url)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    async def graphql(request: Request) -> Response:
        body = json.loads(await request.body())
        document = body.get("query")
        if document == queries.TRIVIAL:
            return Response(TRIVIAL_ANSWER, media_type="application/json")
        handler = HANDLERS.get(document)
        if handler is None:
            return JSONResponse({"errors": [{"message": "not a floor document"}]}, status_code=400)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token, jwt_secret, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE
            )
        except jwt.PyJWTError:
            return JSONResponse({"errors": [{"message": "unauthenticated"}]}, status_code=401)
        async with engine.connect() as db:
            data = await handler(db, claims, body.get("variables") or {})
        return Response(
            json.dumps({"data": data}, separators=(",", ":")), media_type="application/json"
        )

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes = [Route("/healthz", health), Route("/graphql", graphql, methods=["POST"])]
    return Starlette(routes=routes, lifespan=lifespan), engine
