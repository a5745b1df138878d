"""Occupancy in GraphQL: live counts of the location tree, capacities and API tokens."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from functools import partial

import strawberry
from strawberry.relay import GlobalID, GlobalIDValueError

from domain.api_tokens import ApiToken as StoredToken
from domain.api_tokens import TokenScope
from domain.errors import invalid
from domain.occupancy import Occupancy
from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.ids import LOCATION, MAX_REF_LENGTH, global_id, location_ref, number
from gateway.schema.occupancy_history import IngestMutation, OccupancyHistoryQuery
from gateway.schema.types import LocationNode
from gateway.services.occupancy import OccupancyView

# As in gateway.schema.mutations (which imports this module): fresh DataLoaders per field.
mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])
API_TOKEN = "ApiToken"  # noqa: S105  (a type name)

strawberry.enum(TokenScope, name="ApiTokenScope")


@strawberry.type(
    description="How full a location is now. A parent's count and capacity are the sums of "
    "its children's; a site counts at least the people on site."
)
class LocationOccupancy:
    view: strawberry.Private[OccupancyView]

    @property
    def occupancy(self) -> Occupancy:
        return self.view.target

    @strawberry.field
    def location(self) -> LocationNode:
        return LocationNode(location=self.occupancy.location)

    @strawberry.field(description="The location's number, as the Occuspace API shows it.")
    def number(self) -> int:
        return self.occupancy.location.id

    @strawberry.field
    def name(self) -> str:
        return self.occupancy.location.name

    @strawberry.field
    def count(self) -> int:
        return self.occupancy.count

    @strawberry.field(description="Null when no capacity is known.")
    def capacity(self) -> int | None:
        return self.occupancy.capacity

    @strawberry.field(description="count / capacity, a fraction rounded half-up to 2 decimals.")
    def percentage(self) -> float | None:
        return self.occupancy.percentage

    @strawberry.field(description="The newest reading in the subtree; null: none yet.")
    def timestamp(self) -> datetime | None:
        return self.occupancy.timestamp

    @strawberry.field(description="A leaf reported recently; a parent: any child is active.")
    def is_active(self) -> bool:
        return self.occupancy.is_active

    @strawberry.field(description="The first reading in the subtree; null: none yet.")
    def earliest_count(self) -> datetime | None:
        return self.occupancy.earliest_at

    @strawberry.field(description="The direct children; null for a leaf.")
    def child_counts(self) -> list[LocationOccupancy] | None:
        if not self.occupancy.children:
            return None
        return [LocationOccupancy(view=child) for child in self.view.children()]


@strawberry.type(description="An API token for sensors (ingest) and dashboards (read).")
class ApiToken:
    token: strawberry.Private[StoredToken]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id(API_TOKEN, self.token.id)

    @strawberry.field(description="The number `occupi api-token revoke` takes.")
    def number(self) -> int:
        return self.token.id

    @strawberry.field
    def name(self) -> str:
        return self.token.name

    @strawberry.field(description="The root of the subtree it sees; null: the whole tree.")
    def location_id(self) -> strawberry.ID | None:
        return global_id(LOCATION, self.token.location_id) if self.token.location_id else None

    @strawberry.field
    def scopes(self) -> list[TokenScope]:
        return sorted(self.token.scopes)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.token.created_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.token.revoked_at


@strawberry.input
class CreateApiTokenInput:
    name: str
    scopes: list[TokenScope]
    location: strawberry.ID | None = strawberry.field(
        default=None, description="The subtree it sees; the whole tree when left out."
    )


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID = strawberry.field(description="The token's global id or number.")


@strawberry.input
class SetLocationCapacityInput:
    location: strawberry.ID
    capacity: int | None = strawberry.field(description="Null: unknown. Leaves only.")


@strawberry.type
class CreateApiTokenPayload:
    api_token: ApiToken | None
    secret: str | None = strawberry.field(description="The token itself; shown this once.")
    errors: list[UserError]


@strawberry.type
class ApiTokenPayload:
    api_token: ApiToken | None
    errors: list[UserError]


@strawberry.type
class LocationCapacityPayload:
    location: LocationNode | None
    errors: list[UserError]


def token_ref(raw: strawberry.ID) -> int:
    """An API token by its global id or number."""
    text = str(raw).strip()
    if len(text) > MAX_REF_LENGTH:
        raise invalid("id is too long to be an id", "id")
    try:
        decoded = GlobalID.from_id(text)
        key = decoded.node_id if decoded.type_name == API_TOKEN else text
    except GlobalIDValueError:
        key = text
    value = number(key)
    if value is None:
        raise invalid(f"{raw!r} is not a valid API token id", "id")
    return value


@strawberry.type
class OccupancyQuery(OccupancyHistoryQuery):
    @strawberry.field(
        description="How full a location is now: for anybody signed in, or a read API token "
        "within its subtree."
    )
    async def occupancy(self, info: Info, location: strawberry.ID) -> LocationOccupancy:
        view = await info.context.app.occupancy.of(
            info.context.principal, location_ref(location, "location")
        )
        return LocationOccupancy(view=view)

    @strawberry.field(description="Admins only: every API token, revoked ones too.")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        found = await info.context.app.api_tokens.tokens(info.context.principal)
        return [ApiToken(token=t) for t in found]


@strawberry.type
class OccupancyMutation(IngestMutation):
    @mutation(description="Admins only. The secret in the payload is never shown again.")
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> CreateApiTokenPayload:
        async def create() -> tuple[StoredToken, str]:
            where = location_ref(input.location, "location") if input.location else None
            issued = await info.context.app.api_tokens.create(
                info.context.principal,
                name=input.name,
                location_id=where,
                scopes=frozenset(input.scopes),
            )
            return issued.token, issued.secret

        done, errors = await attempt(create)
        if done is None:
            return CreateApiTokenPayload(api_token=None, secret=None, errors=errors)
        return CreateApiTokenPayload(api_token=ApiToken(token=done[0]), secret=done[1], errors=[])

    @mutation(description="Admins only. Requests with the token fail from now on.")
    async def revoke_api_token(self, info: Info, input: RevokeApiTokenInput) -> ApiTokenPayload:
        async def revoke() -> ApiToken:
            token = await info.context.app.api_tokens.revoke(
                info.context.principal, token_ref(input.id)
            )
            return ApiToken(token=token)

        token, errors = await attempt(revoke)
        return ApiTokenPayload(api_token=token, errors=errors)

    @mutation(description="Admins only; a location with children sums theirs instead.")
    async def set_location_capacity(
        self, info: Info, input: SetLocationCapacityInput
    ) -> LocationCapacityPayload:
        async def set_capacity() -> LocationNode:
            location = await info.context.app.occupancy.set_capacity(
                info.context.principal, location_ref(input.location, "location"), input.capacity
            )
            return LocationNode(location=location)

        location, errors = await attempt(set_capacity)
        return LocationCapacityPayload(location=location, errors=errors)


@strawberry.type
class OccupancySubscription:
    @strawberry.subscription(
        description="A location's occupancy now, then on every change (at most one push per "
        "OCCUPI_LIVE_COALESCE_MS). For anybody signed in, or a read API token in its subtree "
        '(in connection_init: {"Authorization": "Bearer occ_…"}).'
    )
    async def live_occupancy(
        self, info: Info, location_id: strawberry.ID
    ) -> AsyncGenerator[LocationOccupancy, None]:
        watched = info.context.app.live_occupancy.watch(
            info.context.principal, location_ref(location_id, "locationId")
        )
        async for view in watched:
            yield LocationOccupancy(view=view)
