"""Who may reach whose data, for every endpoint of the People issue, in one table.

Each case is one GraphQL field or mutation (or HTTP image route) aimed at Bob. Alice, a
basic user, is refused (a typed error, or null for a private field) and Bob's data, read
back as Bob, is exactly what it was; the admin is allowed, and Bob's data shows the
change. Fields that act only on the caller (no `user` argument) are marked `self_only`:
for them nobody, admin or not, reaches Bob's through any argument.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from gateway.app import Gateway
from tests.schema.image_client import bearer, fetch, upload, uploaded
from tests.support import images
from tests.support.bookings import booked
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World, user_gid

OFFICE = "203.0.113.5"
DEVICE = "ExponentPushToken[bob-phone-0000000000]"
NEW_EMAIL = "bob@new.example"
TODAY = {"from": "2026-11-23", "to": "2026-11-23"}  # the test clock's Monday, 08:00 local

# Everything of Bob's that the cases touch, as Bob himself sees it.
BOBS_VIEW = """
{
  me {
    email name role details { pronouns department } securitySettings { mfa }
    allowedAddresses { address } blockAnonymousAddresses image { id hasImage }
  }
  notificationCounts { unread total }
  notificationSettings { invites bookingReminders }
  presence { onSite }
  officeHoursAnalytics(input: {from: "2026-11-23", to: "2026-11-23"}) { totalHours }
}
"""
BOB = "query Bob($id: ID!) { node(id: $id) { ... on User { name %s } } }"
ERRORS = "errors { code field }"


@dataclass(frozen=True)
class Ctx:
    client: GraphQLClient
    world: World
    tokens: dict[str, str]
    gateway: Gateway
    clock: MutableClock
    mail: RecordingSender

    @property
    def bob(self) -> str:
        return user_gid(self.world.bob)

    async def as_(self, who: str, query: str, variables: JSON | None = None) -> JSON:
        return await self.client.run(query, variables, token=self.tokens[who])


Act = Callable[[Ctx, str], Awaitable[JSON]]
Step = Callable[[Ctx], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    id: str
    act: Act  # the caller (alice or admin) aims at Bob
    path: tuple[str, ...]  # what of the answer to compare
    basic_gets: Any
    admin_gets: Any = None
    changes: dict[str, Any] = field(default_factory=dict)  # in Bob's view, after the admin
    prepare: tuple[Step, ...] = ()
    self_only: bool = False  # no way to name somebody else: the admin fares as Alice does


def gql(query: str, variables: Callable[[Ctx], JSON] = lambda c: {}) -> Act:
    async def act(c: Ctx, caller: str) -> JSON:
        return await c.as_(caller, query, variables(c))

    return act


def mutation(_field: str, _input: str, _selection: str, /, **fields: Any) -> Act:
    """`_field(input: …)`; an input field "BOB" gets Bob's id, and `["BOB"]` a list of it."""
    query = f"mutation M($input: {_input}!) {{ {_field}(input: $input) {{ {_selection} }} }}"

    def variables(c: Ctx) -> JSON:
        bob = {"BOB": c.bob}
        given = {
            k: [bob.get(i, i) for i in v] if isinstance(v, list) else bob.get(v, v)
            for k, v in fields.items()
        }
        return {"input": given}

    return gql(query, variables)


def shown(body: JSON, path: tuple[str, ...]) -> Any:
    """The error codes of a refused operation, or the answer at `path`."""
    if body.get("errors"):
        return {
            "errors": [
                code or _not_in_schema(e["message"])
                for code, e in zip(error_codes(body), body["errors"], strict=True)
            ]
        }
    found: Any = body["data"]
    for key in path:
        found = found[key]
    return found


def _not_in_schema(message: str) -> str:
    """GraphQL validation errors carry no code: the field the request named, if any."""
    found = re.search(r"not to include unknown field '(\w+)'", message)
    return f"no field {found.group(1)}" if found else message


def refused(code: str, field: str | None = None) -> list[JSON]:
    return [{"code": code, "field": field}]


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        return {prefix: value}
    found: dict[str, Any] = {}
    for key, inner in value.items():
        found.update(flat(inner, f"{prefix}.{key}" if prefix else key))
    return found


async def bobs_view(c: Ctx) -> dict[str, Any]:
    """Bob's data as Bob sees it, flattened (`me.details.pronouns`), and his devices."""
    seen = flat(await c.client.data(BOBS_VIEW, token=c.tokens["bob"]))
    admin = c.world.principal(c.world.admin)
    seen["devices"] = await c.gateway.app.notifications.push_tokens_of(admin, [c.world.bob.email])
    return seen


class NewValue:
    """A value the app chooses (a new image's id): equal to any string."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    def __hash__(self) -> int:
        return 0


# --- how Bob's data is set up before a case --------------------------------------------------


async def share_a_booking(c: Ctx) -> None:
    """Alice books with Bob, so she may see his User node (and he gets an invitation)."""
    await booked(c.client, c.tokens["alice"], "10:00", "11:00", attendees=[c.world.bob.email])


async def invite_bob(c: Ctx) -> None:
    """Carol invites Bob: he has one unread notification, and Alice knows nothing of him."""
    await booked(c.client, c.tokens["carol"], "12:00", "13:00", attendees=[c.world.bob.email])


def by(who: str, act: Act) -> Step:
    """A setup step: `who` runs `act`, which must succeed."""

    async def step(c: Ctx) -> None:
        body = await act(c, who)
        assert "errors" not in body, body
        [payload] = body["data"].values()
        assert payload["errors"] == [], payload

    return step


async def bob_has_an_image(c: Ctx) -> None:
    await uploaded(c.client.http, c.tokens["bob"], images.png())


async def bob_stayed_an_hour(c: Ctx) -> None:
    await by("bob", TOGGLE_ON)(c)
    c.clock.advance(timedelta(hours=1))
    await by("bob", TOGGLE_OFF)(c)


async def bob_asks_for_a_new_address(c: Ctx) -> None:
    await by("bob", REQUEST_EMAIL_CHANGE)(c)
    await c.gateway.relay.drain()


# --- acts that need something of Bob's first --------------------------------------------------


async def bobs_image_id(c: Ctx) -> str:
    found = await c.client.data("{ me { image { id } } }", token=c.tokens["bob"])
    image_id: str = found["me"]["image"]["id"]
    return image_id


async def bobs_notification_id(c: Ctx) -> str:
    found = await c.client.data(
        "{ notifications { edges { node { id } } } }", token=c.tokens["bob"]
    )
    [edge] = found["notifications"]["edges"]
    notification_id: str = edge["node"]["id"]
    return notification_id


async def delete_bobs_notification(c: Ctx, caller: str) -> JSON:
    query = f"""mutation D($input: DeleteNotificationInput!) {{
      deleteNotification(input: $input) {{ deleted {ERRORS} }} }}"""
    variables = {"input": {"id": await bobs_notification_id(c), "user": c.bob}}
    return await c.as_(caller, query, variables)


async def fetch_bobs_image(c: Ctx, caller: str) -> JSON:
    image_id = await bobs_image_id(c)
    response = await fetch(c.client.http, c.tokens[caller], image_id)
    bobs = await fetch(c.client.http, c.tokens["bob"], image_id)
    return {"data": {"status": response.status_code, "same": response.content == bobs.content}}


async def upload_for_bob(c: Ctx, caller: str) -> JSON:
    response = await upload(c.client.http, c.tokens[caller], images.jpeg(), user=c.bob)
    return {"data": {"status": response.status_code, "code": _error_code(response.json())}}


async def delete_bobs_image_over_http(c: Ctx, caller: str) -> JSON:
    response = await c.client.http.delete(
        "/images/profile", params={"user": c.bob}, headers=bearer(c.tokens[caller])
    )
    return {"data": {"status": response.status_code, "code": _error_code(response.json())}}


def _error_code(body: JSON) -> str | None:
    error = body.get("error")
    return None if error is None else str(error["code"])


async def confirm_with_bobs_code(c: Ctx, caller: str) -> JSON:
    query = f"""mutation C($input: ConfirmEmailChangeInput!) {{
      confirmEmailChange(input: $input) {{ user {{ email }} {ERRORS} }} }}"""
    return await c.as_(caller, query, {"input": {"code": c.mail.code_for(NEW_EMAIL)}})


TOGGLE = "toggleOnSite"
TOGGLE_ON = mutation(TOGGLE, "ToggleOnSiteInput", ERRORS, onSite=True)
TOGGLE_OFF = mutation(TOGGLE, "ToggleOnSiteInput", ERRORS, onSite=False)
REQUEST_EMAIL_CHANGE = mutation(
    "requestEmailChange", "RequestEmailChangeInput", ERRORS, newEmail=NEW_EMAIL
)
ALLOW_OFFICE = mutation("allowAddress", "AllowAddressInput", ERRORS, address=OFFICE, users=["BOB"])
MFA_ON = mutation(
    "updateSecuritySettings",
    "UpdateSecuritySettingsInput",
    ERRORS,
    mfa=True,
    currentPassword=PASSWORD,
)
BLOCK_BOB = mutation(
    "setBlockAnonymousAddresses",
    "SetBlockAnonymousAddressesInput",
    ERRORS,
    users=["BOB"],
    block=True,
)
NO_REMINDERS = mutation(
    "updateNotificationSettings", "UpdateNotificationSettingsInput", ERRORS, bookingReminders=False
)
REGISTER_DEVICE = mutation("registerPushToken", "PushTokenInput", ERRORS, token=DEVICE)
FORBIDDEN = {"errors": ["FORBIDDEN"]}
# Bob is notified of changes to his role and address rules.
NOTIFIED_ONCE = {"notificationCounts.unread": 1, "notificationCounts.total": 1}
NOTIFIED_TWICE = {"notificationCounts.unread": 2, "notificationCounts.total": 2}
NOT_AN_ARGUMENT = {"errors": ["no field user"]}


CASES = [
    # --- User fields: Alice shares a booking with Bob, so his node is visible to her and
    # --- only the private field itself is null.
    Case(
        "User.email",
        gql(BOB % "email", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets={"name": "Bob", "email": None},
        admin_gets={"name": "Bob", "email": "bob@example.com"},
        prepare=(share_a_booking,),
    ),
    Case(
        "User.role",
        gql(BOB % "role", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets={"name": "Bob", "role": None},
        admin_gets={"name": "Bob", "role": "BASIC"},
        prepare=(share_a_booking,),
    ),
    Case(
        "User.details",
        gql(BOB % "details { department }", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets={"name": "Bob", "details": None},
        admin_gets={"name": "Bob", "details": {"department": "Finance"}},
        prepare=(
            share_a_booking,
            by(
                "admin",
                mutation(
                    "updateProfile", "UpdateProfileInput", ERRORS, user="BOB", department="Finance"
                ),
            ),
        ),
    ),
    Case(
        "User.securitySettings",
        gql(BOB % "securitySettings { mfa }", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets={"name": "Bob", "securitySettings": None},
        admin_gets={"name": "Bob", "securitySettings": {"mfa": True}},
        prepare=(
            share_a_booking,
            by("bob", MFA_ON),
        ),
    ),
    Case(
        "User.allowedAddresses",
        gql(BOB % "allowedAddresses { address }", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets={"name": "Bob", "allowedAddresses": None},
        admin_gets={"name": "Bob", "allowedAddresses": [{"address": OFFICE}]},
        prepare=(share_a_booking, by("admin", ALLOW_OFFICE)),
    ),
    Case(
        "User.blockAnonymousAddresses",
        gql(BOB % "blockAnonymousAddresses", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets={"name": "Bob", "blockAnonymousAddresses": None},
        admin_gets={"name": "Bob", "blockAnonymousAddresses": True},
        prepare=(
            share_a_booking,
            by("admin", BLOCK_BOB),
        ),
    ),
    # Bob's image is shown to those who may see Bob (by design, co-attendees of a booking);
    # without a shared booking Alice cannot reach his node, nor his image by its id.
    Case(
        "User.image",
        gql(BOB % "image { hasImage }", lambda c: {"id": c.bob}),
        ("node",),
        basic_gets=None,
        admin_gets={"name": "Bob", "image": {"hasImage": True}},
        prepare=(bob_has_an_image,),
    ),
    Case(
        "GET /images/{id}/{quality}",
        fetch_bobs_image,
        (),
        basic_gets={"status": 404, "same": False},
        admin_gets={"status": 200, "same": True},
        prepare=(bob_has_an_image,),
    ),
    Case(
        "users",
        gql('{ users(filter: {search: "bob"}) { edges { node { email } } } }'),
        ("users", "edges"),
        basic_gets=FORBIDDEN,
        admin_gets=[{"node": {"email": "bob@example.com"}}],
    ),
    # --- profiles, roles, security
    Case(
        "updateProfile(user:)",
        mutation(
            "updateProfile",
            "UpdateProfileInput",
            ERRORS,
            user="BOB",
            name="Robert",
            pronouns="he/him",
        ),
        ("updateProfile", "errors"),
        basic_gets=refused("FORBIDDEN", "user"),
        admin_gets=[],
        changes={"me.name": "Robert", "me.details.pronouns": "he/him"},
    ),
    Case(
        "setRole",
        mutation("setRole", "SetRoleInput", ERRORS, user="BOB", role="ADMIN"),
        ("setRole", "errors"),
        basic_gets=refused("FORBIDDEN"),
        admin_gets=[],
        changes={"me.role": "ADMIN", **NOTIFIED_ONCE},
    ),
    # The input has no `user`: naming Bob is not even a valid request.
    Case(
        "updateSecuritySettings",
        mutation(
            "updateSecuritySettings",
            "UpdateSecuritySettingsInput",
            ERRORS,
            mfa=True,
            currentPassword=PASSWORD,
            user="BOB",
        ),
        ("updateSecuritySettings", "errors"),
        basic_gets=NOT_AN_ARGUMENT,
        self_only=True,
    ),
    Case(
        "changePassword",
        mutation(
            "changePassword",
            "ChangePasswordInput",
            ERRORS,
            currentPassword=PASSWORD,
            newPassword="N3w-Passw0rd!",
            newPasswordConfirm="N3w-Passw0rd!",
            user="BOB",
        ),
        ("changePassword", "errors"),
        basic_gets=NOT_AN_ARGUMENT,
        self_only=True,
    ),
    # No arguments at all: it revokes the caller's tokens, and Bob's view (read with his
    # token) shows his still work.
    Case(
        "logoutEverywhere",
        gql(f"mutation {{ logoutEverywhere {{ {ERRORS} }} }}"),
        ("logoutEverywhere", "errors"),
        basic_gets=[],
        self_only=True,
    ),
    # The code mailed to Bob's new address moves only Bob's account, and only for Bob.
    Case(
        "confirmEmailChange",
        confirm_with_bobs_code,
        ("confirmEmailChange", "errors"),
        basic_gets=refused("INVALID_CODE", "code"),
        prepare=(bob_asks_for_a_new_address,),
        self_only=True,
    ),
    # --- notifications and their settings
    Case(
        "notifications(user:)",
        gql(
            "query N($user: ID) { notifications(user: $user) { edges { node { title } } } }",
            lambda c: {"user": c.bob},
        ),
        ("notifications", "edges"),
        basic_gets=FORBIDDEN,
        admin_gets=[{"node": {"title": "Booking Invitation"}}],
        prepare=(invite_bob,),
    ),
    Case(
        "notificationCounts(user:)",
        gql(
            "query N($user: ID) { notificationCounts(user: $user) { unread total } }",
            lambda c: {"user": c.bob},
        ),
        ("notificationCounts",),
        basic_gets=FORBIDDEN,
        admin_gets={"unread": 1, "total": 1},
        prepare=(invite_bob,),
    ),
    Case(
        "notificationSettings(user:)",
        gql(
            "query S($user: ID) { notificationSettings(user: $user) { invites bookingReminders } }",
            lambda c: {"user": c.bob},
        ),
        ("notificationSettings",),
        basic_gets=FORBIDDEN,
        admin_gets={"invites": True, "bookingReminders": False},
        prepare=(by("bob", NO_REMINDERS),),
    ),
    Case(
        "updateNotificationSettings(user:)",
        mutation(
            "updateNotificationSettings",
            "UpdateNotificationSettingsInput",
            ERRORS,
            user="BOB",
            bookingReminders=False,
        ),
        ("updateNotificationSettings", "errors"),
        basic_gets=refused("FORBIDDEN", "user"),
        admin_gets=[],
        changes={"notificationSettings.bookingReminders": False},
    ),
    Case(
        "markNotificationsRead(user:)",
        mutation(
            "markNotificationsRead", "MarkNotificationsReadInput", f"marked {ERRORS}", user="BOB"
        ),
        ("markNotificationsRead",),
        basic_gets={"marked": 0, "errors": refused("FORBIDDEN", "user")},
        admin_gets={"marked": 1, "errors": []},
        changes={"notificationCounts.unread": 0},
        prepare=(invite_bob,),
    ),
    Case(
        "deleteNotification(user:)",
        delete_bobs_notification,
        ("deleteNotification",),
        basic_gets={"deleted": False, "errors": refused("FORBIDDEN", "user")},
        admin_gets={"deleted": True, "errors": []},
        changes={"notificationCounts.unread": 0, "notificationCounts.total": 0},
        prepare=(invite_bob,),
    ),
    # Push tokens have no `user`: removing names a device, and only the caller's own goes.
    Case(
        "removePushToken",
        mutation("removePushToken", "PushTokenInput", f"ok {ERRORS}", token=DEVICE),
        ("removePushToken",),
        basic_gets={"ok": False, "errors": []},
        prepare=(by("bob", REGISTER_DEVICE),),
        self_only=True,
    ),
    # Registering names only a device. NB: a device token Bob registered moves to whoever
    # registers it next (one device, one person, by design): the token is a device secret.
    Case(
        "registerPushToken",
        mutation("registerPushToken", "PushTokenInput", ERRORS, token=DEVICE, user="BOB"),
        ("registerPushToken", "errors"),
        basic_gets=NOT_AN_ARGUMENT,
        self_only=True,
    ),
    # --- profile images
    Case(
        "deleteProfileImage(user:)",
        mutation("deleteProfileImage", "DeleteProfileImageInput", ERRORS, user="BOB"),
        ("deleteProfileImage", "errors"),
        basic_gets=refused("FORBIDDEN", "user"),
        admin_gets=[],
        changes={"me.image.id": None, "me.image.hasImage": False},
        prepare=(bob_has_an_image,),
    ),
    Case(
        "POST /images/profile (user)",
        upload_for_bob,
        (),
        basic_gets={"status": 403, "code": "FORBIDDEN"},
        admin_gets={"status": 201, "code": None},
        changes={"me.image.id": NewValue()},
        prepare=(bob_has_an_image,),
    ),
    Case(
        "DELETE /images/profile (user)",
        delete_bobs_image_over_http,
        (),
        basic_gets={"status": 403, "code": "FORBIDDEN"},
        admin_gets={"status": 200, "code": None},
        changes={"me.image.id": None, "me.image.hasImage": False},
        prepare=(bob_has_an_image,),
    ),
    # --- IP rules
    Case(
        "allowAddress",
        ALLOW_OFFICE,
        ("allowAddress", "errors"),
        basic_gets=refused("FORBIDDEN"),
        admin_gets=[],
        changes={"me.allowedAddresses": [{"address": OFFICE}], **NOTIFIED_ONCE},
    ),
    Case(
        "removeAllowedAddress",
        mutation(
            "removeAllowedAddress",
            "RemoveAllowedAddressInput",
            ERRORS,
            address=OFFICE,
            users=["BOB"],
        ),
        ("removeAllowedAddress", "errors"),
        basic_gets=refused("FORBIDDEN"),
        admin_gets=[],
        # Bob was told when the address was allowed, and again now.
        changes={"me.allowedAddresses": [], **NOTIFIED_TWICE},
        prepare=(by("admin", ALLOW_OFFICE),),
    ),
    Case(
        "setBlockAnonymousAddresses",
        BLOCK_BOB,
        ("setBlockAnonymousAddresses", "errors"),
        basic_gets=refused("FORBIDDEN"),
        admin_gets=[],
        changes={"me.blockAnonymousAddresses": True, **NOTIFIED_ONCE},
    ),
    # Anybody may ask about an address; only admins learn who may sign in from it.
    Case(
        "addressInfo.allowedFor",
        gql(
            "query I($a: String) { addressInfo(address: $a) { address allowedFor { email } } }",
            lambda c: {"a": OFFICE},
        ),
        ("addressInfo",),
        basic_gets={"address": OFFICE, "allowedFor": None},
        admin_gets={"address": OFFICE, "allowedFor": [{"email": "bob@example.com"}]},
        prepare=(by("admin", ALLOW_OFFICE),),
    ),
    # --- on-site presence (the test clock stands at Monday 08:00, inside office hours)
    Case(
        "presence(user:)",
        gql("query P($user: ID) { presence(user: $user) { onSite } }", lambda c: {"user": c.bob}),
        ("presence",),
        basic_gets=FORBIDDEN,
        admin_gets={"onSite": True},
        prepare=(by("bob", TOGGLE_ON),),
    ),
    Case(
        "toggleOnSite(user:)",
        mutation(TOGGLE, "ToggleOnSiteInput", ERRORS, onSite=True, user="BOB"),
        (TOGGLE, "errors"),
        basic_gets=refused("FORBIDDEN", "user"),
        admin_gets=[],
        changes={"presence.onSite": True},
    ),
    Case(
        "officeHoursAnalytics(user:)",
        gql(
            "query A($input: OfficeHoursAnalyticsInput!) { officeHoursAnalytics(input: $input)"
            " { totalHours } }",
            lambda c: {"input": {**TODAY, "user": c.bob}},
        ),
        ("officeHoursAnalytics",),
        basic_gets=FORBIDDEN,
        admin_gets={"totalHours": 1.0},
        prepare=(bob_stayed_an_hour,),
    ),
    Case(
        "officeHoursAnalytics(everyone:)",
        gql(
            "query A($input: OfficeHoursAnalyticsInput!) { officeHoursAnalytics(input: $input)"
            " { totalHours } }",
            lambda c: {"input": {**TODAY, "everyone": True}},
        ),
        ("officeHoursAnalytics",),
        basic_gets=FORBIDDEN,
        admin_gets={"totalHours": 1.0},
        prepare=(bob_stayed_an_hour,),
    ),
]


@pytest.fixture
def ctx(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    clock: MutableClock,
    mail: RecordingSender,
) -> Ctx:
    return Ctx(client, world, tokens, gateway, clock, mail)


async def attempt(c: Ctx, case: Case, caller: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """What the caller got, and Bob's view before and after."""
    for step in case.prepare:
        await step(c)
    before = await bobs_view(c)
    body = await case.act(c, caller)
    return shown(body, case.path), before, await bobs_view(c)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_a_basic_user_cannot_reach_bobs(ctx: Ctx, case: Case) -> None:
    got, before, after = await attempt(ctx, case, "alice")
    assert got == case.basic_gets
    assert after == before


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_an_admin_can_reach_bobs(ctx: Ctx, case: Case) -> None:
    got, before, after = await attempt(ctx, case, "admin")
    if case.self_only:
        assert (got, case.changes) == (case.basic_gets, {})
    else:
        assert got == case.admin_gets
    assert after == {**before, **case.changes}
    for key in case.changes:
        assert after[key] != before[key], f"{key} was already so: the case proves nothing"
