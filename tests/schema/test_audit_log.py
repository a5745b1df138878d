"""The audit log through the real app: every audited mutation records exactly one event
with the right who, what, before and after (and no secret); a refused one records none."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from domain.api_tokens import TokenScope
from domain.audit import AuditEvent
from domain.locations import LocationKind
from gateway.app import Gateway
from gateway.services.audit_records import AuditQuery
from tests.support.bookings import TODAY, booked, local
from tests.support.graphql import JSON, GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World, location_gid, user_gid

NEW_PASSWORD = "An0ther-Secret!"
OFFICE = "203.0.113.5"
ERRORS = "errors { code message field }"


async def all_events(gateway: Gateway) -> list[AuditEvent]:
    """Every stored event, newest first, read straight from the database."""
    return [e async for e in gateway.app.audit.export_as_operator(AuditQuery())]


@dataclass
class Ctx:
    client: GraphQLClient
    world: World
    gateway: Gateway
    tokens: dict[str, str]
    mail: RecordingSender
    secrets: list[str] = field(default_factory=list)

    def admin(self) -> Any:
        return self.world.principal(self.world.admin)


Prepare = Callable[[Ctx], Awaitable[tuple[JSON, str]]]


@dataclass(frozen=True)
class Case:
    """`prepare` returns the mutation's variables and the id the event must name."""

    mutation: str
    selection: str
    input_type: str
    who: str | None
    prepare: Prepare
    entity: str
    action: str
    before: JSON | None
    after: JSON | None


async def _book(ctx: Ctx) -> tuple[JSON, str]:
    start, end = local("10:00"), local("11:00")
    variables = {
        "input": {
            "roomId": "RM000",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "title": "Stand-up",
        }
    }
    return variables, ""  # the code is only known from the payload


async def _own_booking(ctx: Ctx) -> tuple[JSON, str]:
    gid = await booked(ctx.client, ctx.tokens["alice"], "08:10", "09:00", day=TODAY)
    query = f'{{ node(id: "{gid}") {{ ... on Booking {{ code }} }} }}'
    node = (await ctx.client.data(query, token=ctx.tokens["alice"]))["node"]
    return {"input": {"bookingId": gid}}, str(node["code"])


async def _profile(ctx: Ctx) -> tuple[JSON, str]:
    return {"input": {"pronouns": "she/her", "name": "Alice A."}}, str(ctx.world.alice.id)


async def _role(ctx: Ctx) -> tuple[JSON, str]:
    return {"input": {"user": user_gid(ctx.world.bob), "role": "ADMIN"}}, str(ctx.world.bob.id)


async def _security(ctx: Ctx) -> tuple[JSON, str]:
    return {"input": {"mfa": True, "currentPassword": PASSWORD}}, str(ctx.world.alice.id)


async def _password(ctx: Ctx) -> tuple[JSON, str]:
    ctx.secrets.append(NEW_PASSWORD)
    variables = {
        "input": {
            "currentPassword": PASSWORD,
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirm": NEW_PASSWORD,
        }
    }
    return variables, str(ctx.world.alice.id)


async def _create_user(ctx: Ctx) -> tuple[JSON, str]:
    ctx.secrets.append(NEW_PASSWORD)
    variables = {
        "input": {
            "email": "dave@example.com",
            "name": "Dave",
            "password": NEW_PASSWORD,
            "pushToken": "ExponentPushToken[auditSecretDevice]",
        }
    }
    return variables, ""  # a new number


async def _register(ctx: Ctx) -> tuple[JSON, str]:
    await ctx.gateway.app.accounts.request_registration_code("erin@example.com")
    await ctx.gateway.relay.drain()
    code = ctx.mail.code_for("erin@example.com")
    ctx.secrets += [code, NEW_PASSWORD]
    variables = {
        "input": {"email": "erin@example.com", "code": code, "password": NEW_PASSWORD, "name": "E"}
    }
    return variables, ""


async def _email(ctx: Ctx) -> tuple[JSON, str]:
    alice = ctx.world.principal(ctx.world.alice)
    await ctx.gateway.app.people.request_email_change(alice, "alice@new.example")
    await ctx.gateway.relay.drain()
    code = ctx.mail.code_for("alice@new.example")
    ctx.secrets.append(code)
    return {"input": {"code": code}}, str(ctx.world.alice.id)


async def _location(ctx: Ctx) -> tuple[JSON, str]:
    variables = {
        "input": {"kind": "BUILDING", "name": "Annex", "parentId": location_gid(ctx.world.site_id)}
    }
    return variables, ""


async def _room(ctx: Ctx) -> tuple[JSON, str]:
    variables = {
        "input": {
            "floorId": location_gid(ctx.world.floor_id),
            "code": "RM777",
            "name": "Boardroom",
            "maxOccupancy": 12,
            "resources": ["projector"],
        }
    }
    return variables, "RM777"


async def _capacity(ctx: Ctx) -> tuple[JSON, str]:
    annex = await ctx.gateway.app.directory.add_location(
        ctx.admin(), kind=LocationKind.BUILDING, name="Annex", parent_id=ctx.world.site_id
    )
    return {"input": {"location": location_gid(annex.id), "capacity": 40}}, str(annex.id)


async def _allow(ctx: Ctx) -> tuple[JSON, str]:
    return {"input": {"address": OFFICE, "users": [user_gid(ctx.world.alice)]}}, OFFICE


async def _remove(ctx: Ctx) -> tuple[JSON, str]:
    await ctx.gateway.app.addresses.allow_address(ctx.admin(), OFFICE, [ctx.world.alice.id])
    return {"input": {"address": OFFICE, "users": [user_gid(ctx.world.alice)]}}, OFFICE


async def _block(ctx: Ctx) -> tuple[JSON, str]:
    return {"input": {"users": [user_gid(ctx.world.bob)], "block": True}}, "anonymous"


async def _token(ctx: Ctx) -> tuple[JSON, str]:
    return {"input": {"name": "lobby sensor", "scopes": ["INGEST"]}}, ""


async def _revoke(ctx: Ctx) -> tuple[JSON, str]:
    issued = await ctx.gateway.app.api_tokens.create(
        ctx.admin(), name="old", location_id=None, scopes=frozenset({TokenScope.READ})
    )
    ctx.secrets.append(issued.secret)
    return {"input": {"id": str(issued.token.id)}}, str(issued.token.id)


CASES = [
    Case(
        "bookRoom",
        "booking { code }",
        "BookRoomInput",
        "alice",
        _book,
        "booking",
        "booked",
        None,
        {"title": "Stand-up", "status": "active", "creator_id": "<alice>"},
    ),
    Case(
        "cancelBooking",
        "booking { code }",
        "CancelBookingInput",
        "alice",
        _own_booking,
        "booking",
        "cancelled",
        {"status": "active"},
        {"status": "cancelled"},
    ),
    Case(
        "checkIn",
        "booking { code }",
        "CheckInInput",
        "alice",
        _own_booking,
        "booking",
        "checked_in",
        {
            "attendees": [
                {"email": "alice@example.com", "user_id": "<alice>", "checked_in_at": None}
            ]
        },
        {
            "attendees": [
                {"email": "alice@example.com", "user_id": "<alice>", "checked_in_at": "<now>"}
            ]
        },
    ),
    Case(
        "updateProfile",
        "user { name }",
        "UpdateProfileInput",
        "alice",
        _profile,
        "user",
        "profile_updated",
        {"pronouns": None, "name": "Alice"},
        {"pronouns": "she/her", "name": "Alice A."},
    ),
    Case(
        "setRole",
        "user { role }",
        "SetRoleInput",
        "admin",
        _role,
        "user",
        "role_changed",
        {"role": "basic"},
        {"role": "admin"},
    ),
    Case(
        "updateSecuritySettings",
        "securitySettings { mfa }",
        "UpdateSecuritySettingsInput",
        "alice",
        _security,
        "user",
        "security_changed",
        {"mfa": False},
        {"mfa": True},
    ),
    Case(
        "changePassword",
        "token",
        "ChangePasswordInput",
        "alice",
        _password,
        "user",
        "password_changed",
        None,
        {},
    ),
    Case(
        "createUser",
        "user { email }",
        "CreateUserInput",
        "admin",
        _create_user,
        "user",
        "created",
        None,
        {"email": "dave@example.com", "name": "Dave", "role": "basic"},
    ),
    Case(
        "register",
        "token",
        "RegisterInput",
        None,
        _register,
        "user",
        "registered",
        None,
        {"email": "erin@example.com", "role": "basic"},
    ),
    Case(
        "confirmEmailChange",
        "user { email }",
        "ConfirmEmailChangeInput",
        "alice",
        _email,
        "user",
        "email_changed",
        {"email": "alice@example.com"},
        {"email": "alice@new.example"},
    ),
    Case(
        "addLocation",
        "location { number }",
        "AddLocationInput",
        "admin",
        _location,
        "location",
        "created",
        None,
        {"kind": "building", "name": "Annex"},
    ),
    Case(
        "addRoom",
        "room { code }",
        "AddRoomInput",
        "admin",
        _room,
        "room",
        "created",
        None,
        {"name": "Boardroom", "max_occupancy": 12, "resources": ["projector"]},
    ),
    Case(
        "setLocationCapacity",
        "location { number }",
        "SetLocationCapacityInput",
        "admin",
        _capacity,
        "location",
        "capacity_changed",
        {"capacity": None},
        {"capacity": 40},
    ),
    Case(
        "allowAddress",
        "address",
        "AllowAddressInput",
        "admin",
        _allow,
        "ip_rule",
        "allowed",
        None,
        {"address": OFFICE, "user_ids": ["<alice>"]},
    ),
    Case(
        "removeAllowedAddress",
        "address",
        "RemoveAllowedAddressInput",
        "admin",
        _remove,
        "ip_rule",
        "removed",
        None,
        {"address": OFFICE, "user_ids": ["<alice>"]},
    ),
    Case(
        "setBlockAnonymousAddresses",
        "address",
        "SetBlockAnonymousAddressesInput",
        "admin",
        _block,
        "ip_rule",
        "anonymous_blocked",
        None,
        {"address": None, "user_ids": ["<bob>"]},
    ),
    Case(
        "createApiToken",
        "secret apiToken { number }",
        "CreateApiTokenInput",
        "admin",
        _token,
        "api_token",
        "created",
        None,
        {"name": "lobby sensor", "scopes": ["ingest"]},
    ),
    Case(
        "revokeApiToken",
        "apiToken { number }",
        "RevokeApiTokenInput",
        "admin",
        _revoke,
        "api_token",
        "revoked",
        {"revoked_at": None, "name": "old"},
        {"name": "old"},
    ),
]


def _mutation(case: Case) -> str:
    return (
        f"mutation M($input: {case.input_type}!) {{ {case.mutation}(input: $input) "
        f"{{ {case.selection} {ERRORS} }} }}"
    )


def _filled(expected: Any, names: dict[str, Any]) -> Any:
    """`expected` with the placeholders <alice>, <bob> and <now> filled in."""
    if isinstance(expected, dict):
        return {k: _filled(v, names) for k, v in expected.items()}
    if isinstance(expected, list):
        return [_filled(v, names) for v in expected]
    return names.get(expected, expected) if isinstance(expected, str) else expected


def _subset(actual: Any, expected: JSON | None) -> Any:
    if expected is None or actual is None:
        return actual
    return {k: actual.get(k, "<missing>") for k in expected}


def assert_no_secret(event: AuditEvent, secrets: list[str]) -> None:
    text = json.dumps([event.before, event.after])
    for secret in [*secrets, PASSWORD, "argon2", "$2b$", "ExponentPushToken"]:
        assert secret not in text, (secret, text)


@pytest.mark.parametrize("case", CASES, ids=[c.mutation for c in CASES])
async def test_each_audited_mutation_records_one_event(
    client: GraphQLClient,
    world: World,
    gateway: Gateway,
    tokens: dict[str, str],
    mail: RecordingSender,
    case: Case,
) -> None:
    ctx = Ctx(client, world, gateway, tokens, mail, secrets=list(tokens.values()))
    variables, entity_id = await case.prepare(ctx)
    before = await all_events(gateway)
    token = None if case.who is None else tokens[case.who]

    payload = (await client.data(_mutation(case), variables, token=token))[case.mutation]

    assert payload["errors"] == []
    ctx.secrets += [payload[k] for k in ("token", "secret") if payload.get(k)]
    events = await all_events(gateway)
    assert len(events) == len(before) + 1, events[: len(events) - len(before)]
    event = events[0]
    assert (event.entity.value, event.action) == (case.entity, case.action)
    if entity_id:
        assert event.entity_id == entity_id
    actor = {"alice": world.alice, "admin": world.admin}.get(case.who or "")
    assert event.actor.label == (f"user:{actor.id}" if actor else "anonymous")
    assert event.at == gateway.app.clock.now()
    assert event.client == "127.0.0.1"
    names = {
        "<alice>": world.alice.id,
        "<bob>": world.bob.id,
        "<now>": gateway.app.clock.now().isoformat(),
    }
    expected_before, expected_after = _filled(case.before, names), _filled(case.after, names)
    assert _subset(event.before, expected_before) == expected_before
    assert _subset(event.after, expected_after) == expected_after
    assert_no_secret(event, ctx.secrets)


async def test_signing_out_everywhere_is_recorded_without_the_token(
    client: GraphQLClient, world: World, gateway: Gateway, tokens: dict[str, str]
) -> None:
    before = len(await all_events(gateway))
    query = "mutation { logoutEverywhere { errors { code } } }"
    payload = (await client.data(query, token=tokens["bob"]))["logoutEverywhere"]
    assert payload["errors"] == []
    events = await all_events(gateway)
    assert len(events) == before + 1
    event = events[0]
    assert (event.actor.label, event.entity_id, event.action) == (
        f"user:{world.bob.id}",
        str(world.bob.id),
        "signed_out_everywhere",
    )
    assert event.after is not None
    assert set(event.after) == {"tokens_valid_from"}
    assert_no_secret(event, list(tokens.values()))
