"""On-site presence in GraphQL: toggling, office hours, people on site, analytics."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import partial

import strawberry

from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.ids import USER, global_id, location_ref, number_ref
from gateway.schema.office_hours import OfficeHours
from gateway.schema.types import LocationNode
from gateway.services.presence_access import PresenceStatus as Status

# As in gateway.schema.mutations (which imports this module): fresh DataLoaders per field.
mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])


@strawberry.type(description="Whether a person is on site now.")
class PresenceStatus:
    status: strawberry.Private[Status]

    @strawberry.field(description="The person's global id.")
    def user_id(self) -> strawberry.ID:
        return global_id(USER, self.status.user_id)

    @strawberry.field
    def on_site(self) -> bool:
        return self.status.on_site

    @strawberry.field(description="When the open session began; null when off site.")
    def since(self) -> datetime | None:
        return self.status.session.entered_at if self.status.session else None

    @strawberry.field(description="The site the person is on; null when off site.")
    async def site(self, info: Info) -> LocationNode | None:
        if self.status.session is None:
            return None
        found = await info.context.loaders.locations.load(self.status.session.site_id)
        return LocationNode(location=found) if found else None


@strawberry.type
class DailyHours:
    date: date
    hours: float


@strawberry.type(description="Hours in one ISO week.")
class WeeklyHours:
    year: int
    week: int
    hours: float


@strawberry.type(
    description="Hours on site per site-local day and per ISO week, and average arrival and "
    "departure local times over the days with a stay (null when there is none)."
)
class OfficeHoursAnalytics:
    days: list[DailyHours]
    weeks: list[WeeklyHours]
    average_arrival: time | None
    average_departure: time | None
    total_hours: float


@strawberry.input
class ToggleOnSiteInput:
    on_site: bool
    site: strawberry.ID | None = strawberry.field(
        default=None, description="For going on site; the only site when left out."
    )
    user: strawberry.ID | None = strawberry.field(
        default=None, description="Admins only: somebody else's presence."
    )


@strawberry.input
class OfficeDayInput:
    weekday: int = strawberry.field(description="ISO weekday: 1 = Monday … 7 = Sunday.")
    opens: time
    closes: time


@strawberry.input
class SetOfficeHoursInput:
    site: strawberry.ID
    days: list[OfficeDayInput] = strawberry.field(description="Weekdays left out are closed.")


@strawberry.input
class OfficeHoursAnalyticsInput:
    from_: date = strawberry.field(name="from", description="First site-local day.")
    to: date = strawberry.field(description="Last site-local day; at most 366 days in all.")
    user: strawberry.ID | None = strawberry.field(
        default=None, description="Admins only: somebody else; yourself when left out."
    )
    everyone: bool = strawberry.field(default=False, description="Admins only: everyone's.")


@strawberry.type
class PresencePayload:
    presence: PresenceStatus | None
    errors: list[UserError]


@strawberry.type
class OfficeHoursPayload:
    office_hours: OfficeHours | None
    errors: list[UserError]


def _user(raw: strawberry.ID | None) -> int | None:
    return number_ref(raw, USER, "user") if raw else None


def _site(raw: strawberry.ID | None) -> int | None:
    return location_ref(raw, "site") if raw else None


@strawberry.type
class PresenceQuery:
    @strawberry.field(description="Your presence, or (admins) anybody's.")
    async def presence(self, info: Info, user: strawberry.ID | None = None) -> PresenceStatus:
        found = await info.context.app.presence.status(info.context.principal, _user(user))
        return PresenceStatus(status=found)

    @strawberry.field(description="A site's office hours.")
    async def office_hours(self, info: Info, site: strawberry.ID) -> OfficeHours:
        table = await info.context.app.presence.office_hours(
            info.context.principal, location_ref(site, "site")
        )
        return OfficeHours.of(table)

    @strawberry.field(description="How many people are on the site now (the only site if none).")
    async def people_on_site(self, info: Info, site: strawberry.ID | None = None) -> int:
        return await info.context.app.presence.people_on_site(info.context.principal, _site(site))

    @strawberry.field(description="Your office hours; admins: anybody's, or everyone's.")
    async def office_hours_analytics(
        self, info: Info, input: OfficeHoursAnalyticsInput
    ) -> OfficeHoursAnalytics:
        summary = await info.context.app.presence.analytics(
            info.context.principal,
            first=input.from_,
            last=input.to,
            user_id=_user(input.user),
            everyone=input.everyone,
        )
        return OfficeHoursAnalytics(
            days=[DailyHours(date=d, hours=h) for d, h in summary.hours_by_day.items()],
            weeks=[
                WeeklyHours(year=y, week=w, hours=h) for (y, w), h in summary.hours_by_week.items()
            ],
            average_arrival=summary.average_arrival,
            average_departure=summary.average_departure,
            total_hours=summary.total_hours,
        )


@strawberry.type
class PresenceMutation:
    @mutation(description="Go on or off site, inside the site's office hours.")
    async def toggle_on_site(self, info: Info, input: ToggleOnSiteInput) -> PresencePayload:
        presence = info.context.app.presence

        async def toggle() -> PresenceStatus:
            status = await presence.toggle(
                info.context.principal,
                on_site=input.on_site,
                site_id=_site(input.site),
                user_id=_user(input.user),
            )
            return PresenceStatus(status=status)

        found, errors = await attempt(toggle)
        return PresencePayload(presence=found, errors=errors)

    @mutation(description="Admins only: replace a site's weekly office hours.")
    async def set_office_hours(self, info: Info, input: SetOfficeHoursInput) -> OfficeHoursPayload:
        presence = info.context.app.presence

        async def set_hours() -> OfficeHours:
            table = await presence.set_office_hours(
                info.context.principal,
                location_ref(input.site, "site"),
                [(d.weekday, d.opens, d.closes) for d in input.days],
            )
            return OfficeHours.of(table)

        found, errors = await attempt(set_hours)
        return OfficeHoursPayload(office_hours=found, errors=errors)
