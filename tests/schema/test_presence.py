"""On-site presence through GraphQL on the real app and database, with the test clock:
toggling in and out of office hours, forgotten sessions, the sweep, analytics, and who
may see or change whose presence."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from starlette.applications import Starlette

from domain.locations import LocationKind
from domain.office_hours import OfficeHours
from domain.users import Role, User
from gateway.app import Gateway
from tests.schema.test_sql_statement_counts import counting_statements
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import PASSWORD, ZONE, World, location_gid, user_gid

TOGGLE = """
mutation Toggle($input: ToggleOnSiteInput!) {
  toggleOnSite(input: $input) {
    presence { userId onSite since site { name } }
    errors { code message field }
  }
}
"""
PRESENCE = "query P($user: ID) { presence(user: $user) { userId onSite since } }"
COUNT = "query C { peopleOnSite }"
SET_HOURS = """
mutation Set($input: SetOfficeHoursInput!) {
  setOfficeHours(input: $input) {
    officeHours { description days { weekday name opens closes } }
    errors { code message field }
  }
}
"""
ANALYTICS = """
query A($input: OfficeHoursAnalyticsInput!) {
  officeHoursAnalytics(input: $input) {
    days { date hours }
    weeks { year week hours }
    averageArrival averageDeparture totalHours
  }
}
"""

JOBURG = ZoneInfo("Africa/Johannesburg")


def local(day: int, clock: str) -> datetime:
    """November 2026, day `day`, at `clock` in Johannesburg (UTC+2), as UTC."""
    hours, minutes = map(int, clock.split(":"))
    return datetime(2026, 11, day, hours, minutes, tzinfo=JOBURG).astimezone(UTC)


async def token(world: World, user: User) -> str:
    """A token issued at the test clock's now: the tests move the clock by days."""
    return (await world.gateway.app.accounts.login(user.email, PASSWORD)).token.token


async def toggle(client: GraphQLClient, token: str, on_site: bool, **more: str) -> JSON:
    data = await client.data(TOGGLE, {"input": {"onSite": on_site, **more}}, token=token)
    payload: JSON = data["toggleOnSite"]
    return payload


async def on_site(client: GraphQLClient, token: str, user: str | None = None) -> JSON:
    return await client.run(PRESENCE, {"user": user}, token=token)


async def test_toggle_inside_hours_and_the_site_count(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    clock.set(local(23, "09:15"))
    payload = await toggle(client, await token(world, world.alice), True)
    assert payload == {
        "presence": {
            "userId": user_gid(world.alice),
            "onSite": True,
            "since": "2026-11-23T07:15:00+00:00",
            "site": {"name": "HQ"},
        },
        "errors": [],
    }
    assert (await client.data(COUNT, token=await token(world, world.bob)))["peopleOnSite"] == 1
    site = await client.data(
        "query L($id: ID!) { location(id: $id) { peopleOnSite officeHours { description } } }",
        {"id": location_gid(world.site_id)},
        token=await token(world, world.carol),
    )
    assert site["location"]["peopleOnSite"] == 1
    assert site["location"]["officeHours"]["description"].startswith("Monday 08:00-17:00, ")
    off = await toggle(client, await token(world, world.alice), False)
    assert off["presence"]["onSite"] is False
    assert (await client.data(COUNT, token=await token(world, world.bob)))["peopleOnSite"] == 0


async def test_outside_hours_and_repeated_toggles_are_typed_errors(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    clock.set(local(23, "17:00"))
    late = await toggle(client, await token(world, world.alice), True)
    assert late == {
        "presence": None,
        "errors": [
            {
                "code": "OUTSIDE_OFFICE_HOURS",
                "message": "on-site toggling is only allowed in office hours; on Monday the"
                " site is 08:00 to 17:00, and its local time is 2026-11-23 17:00"
                " (Africa/Johannesburg)",
                "field": None,
            }
        ],
    }
    clock.set(local(28, "10:00"))  # Saturday
    assert (await toggle(client, await token(world, world.alice), True))["errors"][0]["code"] == (
        "OUTSIDE_OFFICE_HOURS"
    )
    clock.set(local(30, "10:00"))
    assert (await toggle(client, await token(world, world.alice), False))["errors"][0]["code"] == (
        "ALREADY_OFF_SITE"
    )
    assert (await toggle(client, await token(world, world.alice), True))["errors"] == []
    again = (await toggle(client, await token(world, world.alice), True))["errors"]
    assert [(e["code"], e["field"]) for e in again] == [("ALREADY_ON_SITE", "onSite")]


async def test_a_forgotten_session_closes_lazily_next_day(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    clock.set(local(23, "10:00"))
    await toggle(client, await token(world, world.alice), True)
    clock.set(local(24, "08:05"))
    assert (await on_site(client, await token(world, world.alice)))["data"]["presence"][
        "onSite"
    ] is False
    payload = await toggle(client, await token(world, world.alice), True)
    assert payload["errors"] == []
    assert payload["presence"]["since"] == "2026-11-24T06:05:00+00:00"
    clock.set(local(24, "12:05"))
    await toggle(client, await token(world, world.alice), False)
    summary = await client.data(
        ANALYTICS,
        {"input": {"from": "2026-11-23", "to": "2026-11-24"}},
        token=await token(world, world.alice),
    )
    assert summary["officeHoursAnalytics"]["days"] == [
        {"date": "2026-11-23", "hours": 7.0},  # closed lazily at 17:00
        {"date": "2026-11-24", "hours": 4.0},
    ]


async def test_the_sweep_job_in_the_app_lifespan_closes_a_forgotten_session(
    client: GraphQLClient, world: World, clock: MutableClock, app: Starlette, gateway: Gateway
) -> None:
    clock.set(local(23, "16:00"))
    await toggle(client, await token(world, world.bob), True)
    clock.set(local(23, "23:00"))
    async with app.router.lifespan_context(app):
        for _ in range(500):  # the job sweeps as soon as it starts; wait for its commit
            async with gateway.db.reading() as uow:
                if await uow.presence.open_of(world.bob.id) is None:
                    break
            await asyncio.sleep(0.01)
    async with gateway.db.reading() as uow:
        [closed] = await uow.presence.entered_between(
            world.bob.id, local(23, "00:00"), local(24, "00:00")
        )
    assert (closed.exited_at, closed.closed_by) == (local(23, "17:00"), "sweep")
    assert await gateway.sweeper.run_once() == 0


async def test_analytics_numbers_and_averages(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    for day, enter, leave in ((23, "08:00", "12:00"), (24, "10:00", "16:30")):
        clock.set(local(day, enter))
        await toggle(client, await token(world, world.alice), True)
        clock.set(local(day, leave))
        await toggle(client, await token(world, world.alice), False)
    clock.set(local(30, "09:00"))
    await toggle(client, await token(world, world.bob), True)
    clock.set(local(30, "11:30"))
    mine = await client.data(
        ANALYTICS,
        {"input": {"from": "2026-11-23", "to": "2026-11-30"}},
        token=await token(world, world.alice),
    )
    found = mine["officeHoursAnalytics"]
    assert found["weeks"] == [
        {"year": 2026, "week": 48, "hours": 10.5},
        {"year": 2026, "week": 49, "hours": 0.0},
    ]
    assert (found["averageArrival"], found["averageDeparture"]) == ("09:00:00", "14:15:00")
    everyone = await client.data(
        ANALYTICS,
        {"input": {"from": "2026-11-30", "to": "2026-11-30", "everyone": True}},
        token=await token(world, world.admin),
    )
    assert everyone["officeHoursAnalytics"]["totalHours"] == 2.5  # bob, still on site
    bad = await client.run(
        ANALYTICS,
        {"input": {"from": "2026-11-30", "to": "2026-11-01"}},
        token=await token(world, world.alice),
    )
    assert error_codes(bad) == ["INVALID_INPUT"]
    assert bad["errors"][0]["extensions"]["field"] == "to"


async def test_basic_users_cannot_touch_others_presence_admins_can(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    clock.set(local(23, "09:00"))
    bob = user_gid(world.bob)
    refused = await toggle(client, await token(world, world.alice), True, user=bob)
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert error_codes(await on_site(client, await token(world, world.alice), bob)) == ["FORBIDDEN"]
    span = {"from": "2026-11-23", "to": "2026-11-23"}
    for variables in ({**span, "user": bob}, {**span, "everyone": True}):
        body = await client.run(
            ANALYTICS, {"input": variables}, token=await token(world, world.alice)
        )
        assert error_codes(body) == ["FORBIDDEN"]

    assert (await toggle(client, await token(world, world.admin), True, user=bob))["presence"][
        "onSite"
    ] is True
    seen = await on_site(client, await token(world, world.admin), bob)
    assert seen["data"]["presence"] == {
        "userId": bob,
        "onSite": True,
        "since": "2026-11-23T07:00:00+00:00",
    }
    clock.set(local(23, "10:00"))
    assert (await toggle(client, await token(world, world.admin), False, user=bob))["errors"] == []
    bobs = await client.data(
        ANALYTICS, {"input": {**span, "user": bob}}, token=await token(world, world.admin)
    )
    assert bobs["officeHoursAnalytics"]["totalHours"] == 1.0
    anonymous = await client.run(PRESENCE)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_only_admins_set_office_hours_and_bad_tables_are_refused(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    site = location_gid(world.site_id)
    saturday = {"site": site, "days": [{"weekday": 6, "opens": "09:00", "closes": "13:00"}]}
    denied = await client.data(
        SET_HOURS, {"input": saturday}, token=await token(world, world.alice)
    )
    assert [e["code"] for e in denied["setOfficeHours"]["errors"]] == ["FORBIDDEN"]
    for days, message in (
        ([{"weekday": 9, "opens": "09:00", "closes": "13:00"}], "weekday 9 must be 1"),
        ([{"weekday": 1, "opens": "13:00", "closes": "09:00"}], "must open before they close"),
    ):
        bad = await client.data(
            SET_HOURS,
            {"input": {"site": site, "days": days}},
            token=await token(world, world.admin),
        )
        [error] = bad["setOfficeHours"]["errors"]
        assert (error["code"], error["field"]) == ("INVALID_INPUT", "days")
        assert message in error["message"]
    floor = await client.data(
        SET_HOURS,
        {"input": {**saturday, "site": location_gid(world.floor_id)}},
        token=await token(world, world.admin),
    )
    assert [(e["code"], e["field"]) for e in floor["setOfficeHours"]["errors"]] == [
        ("INVALID_INPUT", "site")
    ]
    done = await client.data(SET_HOURS, {"input": saturday}, token=await token(world, world.admin))
    assert done["setOfficeHours"] == {
        "officeHours": {
            "description": "Saturday 09:00-13:00",
            "days": [{"weekday": 6, "name": "Saturday", "opens": "09:00:00", "closes": "13:00:00"}],
        },
        "errors": [],
    }
    clock.set(local(23, "10:00"))  # Monday: closed now
    assert (await toggle(client, await token(world, world.alice), True))["errors"][0]["code"] == (
        "OUTSIDE_OFFICE_HOURS"
    )
    clock.set(local(28, "12:59"))
    assert (await toggle(client, await token(world, world.alice), True))["errors"] == []


async def test_bad_references_get_precise_errors(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    clock.set(local(23, "09:00"))
    admin = await token(world, world.admin)
    cases = [
        ({"site": "not-an-id"}, "INVALID_INPUT", "site"),
        ({"site": location_gid(world.floor_id)}, "INVALID_INPUT", "site"),
        ({"site": location_gid(999_999)}, "NOT_FOUND", "site"),
        ({"user": "12abc"}, "INVALID_INPUT", "user"),
        ({"user": location_gid(world.site_id)}, "INVALID_INPUT", "user"),
        ({"user": "999999"}, "NOT_FOUND", "user"),
    ]
    for extra, code, field in cases:
        payload = await toggle(client, admin, True, **extra)
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], extra
    body = await client.run(
        ANALYTICS,
        {"input": {"from": "2026-11-23", "to": "2026-11-23", "user": "1", "everyone": True}},
        token=admin,
    )
    assert error_codes(body) == ["INVALID_INPUT"]
    hours = await client.run(
        "query H($site: ID!) { officeHours(site: $site) { description } }",
        {"site": location_gid(world.floor_id)},
        token=admin,
    )
    assert error_codes(hours) == ["INVALID_INPUT"]


SITES = """
query Sites {
  locations(filter: {kind: SITE}, first: 50) {
    edges { node { name peopleOnSite officeHours { description } } }
  }
}
"""


async def test_sites_list_their_people_and_hours_in_a_constant_number_of_statements(
    client: GraphQLClient, world: World, clock: MutableClock, gateway: Gateway
) -> None:
    clock.set(local(23, "09:00"))
    admin = world.principal(world.admin)
    counts = {}
    added = 0
    for extra in (0, 5, 20):
        while added < extra:  # each new site: somebody on it, and hours of its own
            added += 1
            site = await gateway.app.directory.add_location(
                admin, kind=LocationKind.SITE, name=f"Site {added}", time_zone=ZONE
            )
            visitor = await gateway.app.accounts.provision(
                email=f"visitor{added}@example.com", name="V", password=PASSWORD, role=Role.BASIC
            )
            await gateway.app.presence.set_office_hours(admin, site.id, [(1, time(7), time(19))])
            await gateway.app.presence.toggle(
                admin, on_site=True, site_id=site.id, user_id=visitor.id
            )
        carol = await token(world, world.carol)
        with counting_statements(gateway) as statements:
            data = await client.data(SITES, token=carol)
        counts[extra] = len(statements)
        nodes = {e["node"]["name"]: e["node"] for e in data["locations"]["edges"]}
        assert nodes.pop("HQ") == {
            "name": "HQ",
            "peopleOnSite": 0,
            "officeHours": {"description": OfficeHours().describe()},
        }
        assert [n["peopleOnSite"] for n in nodes.values()] == [1] * extra
        assert {n["officeHours"]["description"] for n in nodes.values()} <= {"Monday 07:00-19:00"}
    assert counts[0] == counts[5] == counts[20], counts
