"""Notifications, their settings and push tokens through the real app over HTTP: each
person sees and changes only their own; admins may name anybody with `user:`."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.app import Gateway
from gateway.push.senders import LoggingPushSender
from tests.support.bookings import booked, cancel
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World, user_gid

NOTIFICATIONS = """
query Mine($user: ID, $unreadOnly: Boolean, $first: Int, $after: String) {
  notifications(user: $user, unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount
    edges { node { id title message kind read readAt createdAt bookingId } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
COUNTS = "query C($user: ID) { notificationCounts(user: $user) { unread total } }"
SETTINGS = "query S($user: ID) { notificationSettings(user: $user) { invites bookingReminders } }"
MARK_READ = """
mutation M($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { marked errors { code message field } }
}
"""
DELETE = """
mutation D($input: DeleteNotificationInput!) {
  deleteNotification(input: $input) { deleted errors { code message field } }
}
"""
UPDATE_SETTINGS = """
mutation U($input: UpdateNotificationSettingsInput!) {
  updateNotificationSettings(input: $input) {
    settings { invites bookingReminders } errors { code message field }
  }
}
"""
REGISTER = """
mutation R($input: PushTokenInput!) {
  registerPushToken(input: $input) { ok errors { code message field } }
}
"""
REMOVE = """
mutation X($input: PushTokenInput!) {
  removePushToken(input: $input) { ok errors { code message field } }
}
"""
TOKEN = "ExponentPushToken[bob-phone-0000000000]"


async def mine(client: GraphQLClient, token: str, **variables: Any) -> list[JSON]:
    data = await client.data(NOTIFICATIONS, variables, token=token)
    return [edge["node"] for edge in data["notifications"]["edges"]]


async def payload(client: GraphQLClient, query: str, caller: str, **fields: Any) -> JSON:
    data = await client.data(query, {"input": fields}, token=caller)
    [found] = data.values()
    result: JSON = found
    return result


@pytest.fixture
async def invited(client: GraphQLClient, world: World, tokens: dict[str, str]) -> str:
    """Alice books tomorrow 10:00 with Bob; the booking's global id."""
    return await booked(client, tokens["alice"], "10:00", "11:00", attendees=[world.bob.email])


async def test_an_invitation_arrives_and_is_read_counted_and_deleted(
    client: GraphQLClient, tokens: dict[str, str], invited: str
) -> None:
    (note,) = await mine(client, tokens["bob"])
    assert (note["title"], note["kind"], note["read"], note["bookingId"]) == (
        "Booking Invitation",
        "INVITATION",
        False,
        invited,
    )
    assert (await client.data(COUNTS, token=tokens["bob"]))["notificationCounts"] == {
        "unread": 1,
        "total": 1,
    }

    marked = await payload(client, MARK_READ, tokens["bob"], ids=[note["id"]])
    assert marked == {"marked": 1, "errors": []}
    assert await mine(client, tokens["bob"], unreadOnly=True) == []
    deleted = await payload(client, DELETE, tokens["bob"], id=note["id"])
    assert deleted == {"deleted": True, "errors": []}
    assert (await client.data(COUNTS, token=tokens["bob"]))["notificationCounts"] == {
        "unread": 0,
        "total": 0,
    }


async def test_a_cancellation_reaches_the_invited(
    client: GraphQLClient, tokens: dict[str, str], invited: str
) -> None:
    assert (await cancel(client, tokens["alice"], invited))["errors"] == []
    titles = [n["title"] for n in await mine(client, tokens["bob"])]
    assert titles == ["Booking Cancelled", "Booking Invitation"]
    assert await mine(client, tokens["alice"]) == []


async def test_a_basic_user_cannot_read_mark_or_delete_anothers_notifications(
    client: GraphQLClient, world: World, tokens: dict[str, str], invited: str
) -> None:
    bob = user_gid(world.bob)
    (note,) = await mine(client, tokens["bob"])
    for query in (NOTIFICATIONS, COUNTS, SETTINGS):
        body = await client.run(query, {"user": bob}, token=tokens["alice"])
        assert error_codes(body) == ["FORBIDDEN"]
        assert body["data"] is None
    marked = await payload(client, MARK_READ, tokens["alice"], user=bob)
    deleted = await payload(client, DELETE, tokens["alice"], id=note["id"], user=bob)
    changed = await payload(client, UPDATE_SETTINGS, tokens["alice"], invites=False, user=bob)
    for refused in (marked, deleted, changed):
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("FORBIDDEN", "user")]
    # Through her own name, Alice's id of Bob's notification finds nothing.
    own = await payload(client, DELETE, tokens["alice"], id=note["id"])
    assert [(e["code"], e["field"]) for e in own["errors"]] == [("NOT_FOUND", "id")]
    assert [n["read"] for n in await mine(client, tokens["bob"])] == [False]
    settings = await client.data(SETTINGS, token=tokens["bob"])
    assert settings["notificationSettings"] == {"invites": True, "bookingReminders": True}


async def test_an_admin_reads_and_manages_anybodys(
    client: GraphQLClient, world: World, tokens: dict[str, str], invited: str
) -> None:
    bob = user_gid(world.bob)
    (note,) = await mine(client, tokens["admin"], user=bob)
    assert note["title"] == "Booking Invitation"
    assert (await payload(client, MARK_READ, tokens["admin"], user=bob))["marked"] == 1
    changed = await payload(
        client, UPDATE_SETTINGS, tokens["admin"], bookingReminders=False, user=bob
    )
    assert changed == {"settings": {"invites": True, "bookingReminders": False}, "errors": []}
    assert (await payload(client, DELETE, tokens["admin"], id=note["id"], user=bob))["deleted"]
    assert await mine(client, tokens["bob"]) == []
    assert await mine(client, tokens["admin"]) == []  # the admin's own stay apart


async def test_invitations_turned_off_are_not_made(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    changed = await payload(client, UPDATE_SETTINGS, tokens["carol"], invites=False)
    assert changed["settings"] == {"invites": False, "bookingReminders": True}
    await booked(client, tokens["alice"], "12:00", "13:00", attendees=[world.carol.email])
    assert await mine(client, tokens["carol"]) == []


async def test_notifications_page_newest_first(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    made = [
        await booked(client, tokens["alice"], start, end, attendees=[world.bob.email])
        for start, end in (("09:00", "10:00"), ("10:00", "11:00"), ("11:00", "12:00"))
    ]
    first = (await client.data(NOTIFICATIONS, {"first": 2}, token=tokens["bob"]))["notifications"]
    after = first["pageInfo"]["endCursor"]
    rest = (await client.data(NOTIFICATIONS, {"after": after}, token=tokens["bob"]))[
        "notifications"
    ]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"]
    assert not rest["pageInfo"]["hasNextPage"]
    seen = [edge["node"]["bookingId"] for edge in first["edges"] + rest["edges"]]
    assert seen == made[::-1]


async def test_a_registered_device_receives_the_pushes(
    client: GraphQLClient, gateway: Gateway, world: World, tokens: dict[str, str]
) -> None:
    assert await payload(client, REGISTER, tokens["bob"], token=TOKEN) == {"ok": True, "errors": []}
    code = await booked(client, tokens["alice"], "10:00", "11:00", attendees=[world.bob.email])
    await gateway.pushes.drain()
    sender = gateway.pushes.sender  # the default: the logging sender
    assert isinstance(sender, LoggingPushSender)
    (push,) = sender.sent
    (note,) = await mine(client, tokens["bob"])
    assert (push.to, push.title, push.data["notiId"]) == (TOKEN, "Booking Invitation", note["id"])
    assert note["bookingId"] == code
    assert await payload(client, REMOVE, tokens["bob"], token=TOKEN) == {"ok": True, "errors": []}
    assert await payload(client, REMOVE, tokens["bob"], token=TOKEN) == {"ok": False, "errors": []}


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (NOTIFICATIONS, {"user": "not a user"}, "user"),
        (NOTIFICATIONS, {"after": "garbage"}, "after"),
        (NOTIFICATIONS, {"first": 1000}, "first"),
        (COUNTS, {"user": "0"}, "user"),
    ],
)
async def test_bad_arguments_get_precise_errors(
    client: GraphQLClient, tokens: dict[str, str], query: str, variables: JSON, field: str
) -> None:
    body = await client.run(query, variables, token=tokens["admin"])
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize(
    ("query", "fields", "code", "field"),
    [
        (REGISTER, {"token": "not-a-token"}, "INVALID_INPUT", "token"),
        (MARK_READ, {"ids": [str(n) for n in range(101)]}, "INVALID_INPUT", "ids"),
        (MARK_READ, {"user": "nobody"}, "INVALID_INPUT", "user"),
        (UPDATE_SETTINGS, {"user": "-1"}, "INVALID_INPUT", "user"),
        (DELETE, {"id": "x" * 300}, "NOT_FOUND", "id"),
    ],
)
async def test_bad_mutation_input_gets_precise_errors(
    client: GraphQLClient,
    tokens: dict[str, str],
    query: str,
    fields: JSON,
    code: str,
    field: str,
) -> None:
    found = await payload(client, query, tokens["bob"], **fields)
    assert [(e["code"], e["field"]) for e in found["errors"]] == [(code, field)]


async def test_signed_out_callers_are_refused(client: GraphQLClient) -> None:
    body = await client.run(COUNTS)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    found = (await client.data(REGISTER, {"input": {"token": TOKEN}}))["registerPushToken"]
    assert [e["code"] for e in found["errors"]] == ["UNAUTHENTICATED"]
