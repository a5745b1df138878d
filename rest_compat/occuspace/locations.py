"""GET /v1/locations and /v1/locations/:id/now (and the singular /v1/location/:id/now that
display clients call): the tree and its live counts, for `read` API tokens."""

from __future__ import annotations

from datetime import UTC

from pydantic import BaseModel
from starlette.responses import Response

from domain.api_tokens import TokenScope
from domain.errors import invalid
from domain.ids import MAX_ROW_ID
from domain.occupancy import Occupancy
from gateway.services.authz import Principal
from gateway.services.occupancy import OccupancyView
from rest_compat.occuspace.envelopes import OccuspaceEnvelope, OccuspaceError, success
from rest_compat.routing import Call, Endpoint, Guard, Reply

TAGS = ("Occuspace",)


def _read_token(principal: Principal) -> object:
    return principal.require_api(TokenScope.READ)


READ_TOKEN = Guard(
    "read-token",
    _read_token,
    signed_in=True,
    description="An API token with the read scope (`occupi api-token create --scope read`).",
)


class LocationNode(BaseModel):
    id: int
    name: str
    parentID: int | None
    capacity: int
    earliestCount: str | None
    isActive: bool


class ChildCount(BaseModel):
    id: int
    name: str
    count: int
    percentage: float
    isActive: bool


class LocationNow(BaseModel):
    id: int
    name: str
    count: int
    percentage: float
    timestamp: str | None
    isActive: bool
    childCounts: list[ChildCount] | None


class LocationList(OccuspaceEnvelope[list[LocationNode]]):
    """Every location the token sees, by id."""


class NowBody(OccuspaceEnvelope[LocationNow]):
    """The live count; `childCounts` holds the direct children (null for a leaf)."""


UNAUTHORISED = Reply(
    OccuspaceError,
    "No token, an invalid or revoked one, one without read, or a location it does not see.",
)
BAD_ID = Reply(OccuspaceError, "The id is not a location number.")


def location_id(call: Call[None]) -> int:
    raw = call.request.path_params["id"]
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ROW_ID:
        raise invalid(f"id must be a location number, not {raw[:40]!r}", "id")
    return int(raw)


def _node(o: Occupancy, visible: set[int]) -> dict[str, object]:
    parent = o.location.parent_id
    return {
        "id": o.location.id,
        "name": o.location.name,
        # The token's own root is the customer's root, whatever sits above it.
        "parentID": parent if parent in visible else None,
        "capacity": o.capacity or 0,
        "earliestCount": o.earliest_at.date().isoformat() if o.earliest_at else None,
        "isActive": o.is_active,
    }


def stamp(o: Occupancy) -> str | None:
    if o.timestamp is None:
        return None
    moment = o.timestamp.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _now(view: OccupancyView) -> dict[str, object]:
    o = view.target
    children = [
        {
            "id": c.target.location.id,
            "name": c.target.location.name,
            "count": c.target.count,
            "percentage": c.target.percentage or 0,
            "isActive": c.target.is_active,
        }
        for c in view.children()
    ]
    return {
        "id": o.location.id,
        "name": o.location.name,
        "count": o.count,
        "percentage": o.percentage or 0,
        "timestamp": stamp(o),
        "isActive": o.is_active,
        "childCounts": children or None,
    }


async def list_locations(call: Call[None]) -> Response:
    """A flat list. `capacity` is the sum of the children's (0 when unknown);
    `earliestCount` the UTC date of the first count in the subtree."""
    found = await call.app.occupancy.everything(call.principal)
    visible = {o.location.id for o in found}
    return success([_node(o, visible) for o in found])


async def location_now(call: Call[None]) -> Response:
    """The count now: a parent's is the sum of its children's (a site's at least the
    people on site); `percentage` is count / capacity as a fraction rounded half-up to 2
    decimals (0 when the capacity is unknown); `timestamp` the newest reading (null when
    none yet)."""
    view = await call.app.occupancy.of(call.principal, location_id(call))
    return success(_now(view))


def _now_endpoint(path: str, name: str) -> Endpoint:
    async def handler(call: Call[None]) -> Response:
        return await location_now(call)

    handler.__name__ = name
    handler.__doc__ = location_now.__doc__
    return Endpoint(
        "GET",
        path,
        handler,
        summary="A location's live count and its children's.",
        responses={
            200: Reply(NowBody, "The live count."),
            400: BAD_ID,
            401: UNAUTHORISED,
        },
        guard=READ_TOKEN,
        tags=TAGS,
    )


ENDPOINTS = (
    Endpoint(
        "GET",
        "/locations",
        list_locations,
        summary="Every location the token sees.",
        responses={200: Reply(LocationList, "The locations."), 401: UNAUTHORISED},
        guard=READ_TOKEN,
        tags=TAGS,
    ),
    _now_endpoint("/locations/{id}/now", "location_now"),
    _now_endpoint("/location/{id}/now", "location_now_singular"),
)
