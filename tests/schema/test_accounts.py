"""Profiles, roles, e-mail changes, security settings and MFA sign-in through the real app:
who may read and change whose details, and the mailed codes read from the outbox's mail."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import ErrorCode
from domain.users import Role
from gateway.app import Gateway
from tests.schema.test_sql_statement_counts import counting_statements
from tests.support.bookings import book
from tests.support.fakes import rejected
from tests.support.graphql import JSON, GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World, booking_gid, user_gid

DETAILS = "details { dateOfBirth gender pronouns contactNumber employeeId position department }"
ME = f"{{ me {{ email name {DETAILS} securitySettings {{ mfa }} }} }}"
NODE = f"""
query Node($id: ID!) {{
  node(id: $id) {{ ... on User {{ name email {DETAILS} securitySettings {{ mfa }} }} }}
}}
"""
CREATOR = f"""
query Creator($id: ID!) {{
  node(id: $id) {{
    ... on Booking {{ createdBy {{ name email {DETAILS} securitySettings {{ mfa }} }} }}
  }}
}}
"""
UPDATE = f"""
mutation Update($input: UpdateProfileInput!) {{
  updateProfile(input: $input) {{
    user {{ name email {DETAILS} }} errors {{ code message field }}
  }}
}}
"""
SET_ROLE = """
mutation SetRole($input: SetRoleInput!) {
  setRole(input: $input) { user { email role } errors { code message field } }
}
"""
USERS = """
query Users($filter: UserFilter) {
  users(filter: $filter) { totalCount edges { node { email details { department } } } }
}
"""
CREATE = f"""
mutation Create($input: CreateUserInput!) {{
  createUser(input: $input) {{ user {{ email role {DETAILS} }} errors {{ code message field }} }}
}}
"""
REQUEST_CHANGE = """
mutation Request($input: RequestEmailChangeInput!) {
  requestEmailChange(input: $input) { sent errors { code message field } }
}
"""
CONFIRM_CHANGE = """
mutation Confirm($input: ConfirmEmailChangeInput!) {
  confirmEmailChange(input: $input) { user { email } errors { code message field } }
}
"""
SECURITY = """
mutation Security($input: UpdateSecuritySettingsInput!) {
  updateSecuritySettings(input: $input) { securitySettings { mfa } errors { code message field } }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token codeRequired challenge { reason message sent } errors { code message field }
  }
}
"""
COMPLETE = """
mutation Complete($input: CompleteLoginInput!) {
  completeLogin(input: $input) { token user { email } errors { code message field } }
}
"""
REQUEST_REGISTRATION = """
mutation Request($input: RequestRegistrationCodeInput!) {
  requestRegistrationCode(input: $input) { sent errors { code message field } }
}
"""
BAD_CODE = "the code is wrong or has expired; ask for a new one"
NO_DETAILS = {"details": None, "securitySettings": None}


def error(code: str, message: str, field: str | None = None) -> JSON:
    return {"code": code, "message": message, "field": field}


async def mutate(client: GraphQLClient, query: str, token: str, **input: Any) -> JSON:
    data = await client.data(query, {"input": input}, token=token)
    [payload] = data.values()
    result: JSON = payload
    return result


# --- profiles -------------------------------------------------------------------------------


async def test_a_person_updates_and_reads_their_own_profile(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    payload = await mutate(
        client,
        UPDATE,
        tokens["alice"],
        name="Alice Smith",
        dateOfBirth="1990-05-17",
        pronouns="she/her",
        contactNumber="+27 82 555 0100",
    )
    assert payload["errors"] == []
    cleared = await mutate(client, UPDATE, tokens["alice"], pronouns=None)
    assert cleared["errors"] == []

    me = (await client.data(ME, token=tokens["alice"]))["me"]
    details = me.pop("details")
    assert me == {
        "email": "alice@example.com",
        "name": "Alice Smith",
        "securitySettings": {"mfa": False},
    }
    assert details["employeeId"].startswith("OCCUPI2026")
    assert {k: v for k, v in details.items() if k != "employeeId"} == {
        "dateOfBirth": "1990-05-17",
        "gender": None,
        "pronouns": None,
        "contactNumber": "+27 82 555 0100",
        "position": None,
        "department": None,
    }


async def test_bad_profile_values_get_precise_errors(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    for field, value, message in [
        ("dateOfBirth", "2030-01-01", "the date of birth is in the future"),
        ("gender", "x" * 41, "gender must be at most 40 characters"),
        ("name", None, "a name cannot be cleared"),
        ("user", "not-an-id", "'not-an-id' is not a valid id"),
    ]:
        payload = await mutate(client, UPDATE, tokens["alice"], **{field: value})
        assert payload == {"user": None, "errors": [error("INVALID_INPUT", message, field)]}


async def test_basic_users_cannot_read_or_change_anothers_details(
    client: GraphQLClient, tokens: dict[str, str], world: World
) -> None:
    booked = await book(client, tokens["alice"], attendees=["bob@example.com"])
    variables = {"id": booking_gid(booked["booking"]["code"])}
    seen = await client.data(CREATOR, variables, token=tokens["bob"])
    assert seen["node"]["createdBy"] == {"name": "Alice", "email": None, **NO_DETAILS}
    mine = await client.data(CREATOR, variables, token=tokens["alice"])
    assert mine["node"]["createdBy"]["details"]["employeeId"].startswith("OCCUPI")
    hidden = await client.data(NODE, {"id": user_gid(world.alice)}, token=tokens["carol"])
    assert hidden["node"] is None

    payload = await mutate(
        client, UPDATE, tokens["bob"], user=user_gid(world.alice), pronouns="he/him"
    )
    assert payload == {
        "user": None,
        "errors": [error("FORBIDDEN", "only admins may change another person's profile", "user")],
    }
    own = await mutate(client, UPDATE, tokens["bob"], department="Finance")
    assert own["errors"] == [error("FORBIDDEN", "only admins may set department", "department")]


async def test_admins_read_and_change_anybodys_details(
    client: GraphQLClient, tokens: dict[str, str], world: World
) -> None:
    payload = await mutate(
        client,
        UPDATE,
        tokens["admin"],
        user=user_gid(world.alice),
        position="Analyst",
        department="Finance",
        employeeId="occupi77",
    )
    assert payload["errors"] == []

    seen = await client.data(NODE, {"id": user_gid(world.alice)}, token=tokens["admin"])
    assert seen["node"]["details"]["employeeId"] == "OCCUPI77"
    assert seen["node"]["details"]["department"] == "Finance"
    assert seen["node"]["securitySettings"] == {"mfa": False}
    listed = await client.data(USERS, {"filter": {"department": "finance"}}, token=tokens["admin"])
    assert listed["users"]["edges"] == [
        {"node": {"email": "alice@example.com", "details": {"department": "Finance"}}}
    ]


async def test_admins_create_users_with_details(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    variables = {
        "email": "dave@example.com",
        "name": "Dave",
        "password": "N3w-Passw0rd!",
        "details": {"department": "Facilities", "position": "Manager"},
    }
    payload = await mutate(client, CREATE, tokens["admin"], **variables)
    assert payload["errors"] == []
    assert payload["user"]["details"]["department"] == "Facilities"
    assert payload["user"]["details"]["employeeId"].startswith("OCCUPI2026")
    refused = await mutate(client, CREATE, tokens["alice"], **variables)
    assert refused["errors"][0]["code"] == "FORBIDDEN"


async def test_admins_create_users_with_settings_a_device_and_the_address_rule(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    created = await client.data(
        """
        mutation Create($input: CreateUserInput!) {
          createUser(input: $input) {
            user { id email blockAnonymousAddresses } errors { code message field }
          }
        }
        """,
        {
            "input": {
                "email": "erin@example.com",
                "name": "Erin",
                "password": "N3w-Passw0rd!",
                "notificationSettings": {"invites": False},
                "pushToken": "ExponentPushToken[erin-phone]",
                "blockAnonymousAddresses": True,
            }
        },
        token=tokens["admin"],
    )
    payload = created["createUser"]
    assert payload["errors"] == []
    assert payload["user"]["blockAnonymousAddresses"] is True
    settings = await client.data(
        "query S($user: ID) { notificationSettings(user: $user) { invites bookingReminders } }",
        {"user": payload["user"]["id"]},
        token=tokens["admin"],
    )
    assert settings["notificationSettings"] == {"invites": False, "bookingReminders": True}
    admin = await gateway.app.accounts.authenticate(tokens["admin"])
    devices = await gateway.app.notifications.push_tokens_of(admin, ["erin@example.com"])
    # Erin turned invitations off, and only those who want them have their devices listed.
    assert devices == ()
    # Blocked: no address is allowed or confirmed yet, so no sign-in from anywhere.
    refused = await rejected(gateway.app.accounts.login("erin@example.com", "N3w-Passw0rd!"))
    assert refused.code is ErrorCode.FORBIDDEN


async def test_a_bad_push_token_at_creation_creates_nobody(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    payload = await mutate(
        client,
        CREATE,
        tokens["admin"],
        email="frank@example.com",
        name="Frank",
        password="N3w-Passw0rd!",
        pushToken="not a token",
    )
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "pushToken")]
    users = await client.data(USERS, {"filter": {"search": "frank"}}, token=tokens["admin"])
    assert users["users"]["totalCount"] == 0


async def test_the_users_filter_is_bounded(client: GraphQLClient, tokens: dict[str, str]) -> None:
    body = await client.run(USERS, {"filter": {"search": "x" * 255}}, token=tokens["admin"])
    assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "search"}


# --- roles ----------------------------------------------------------------------------------


async def test_only_admins_set_roles_and_the_last_admin_stays(
    client: GraphQLClient, tokens: dict[str, str], world: World
) -> None:
    denied = await mutate(
        client, SET_ROLE, tokens["alice"], user=user_gid(world.alice), role="ADMIN"
    )
    assert denied == {"user": None, "errors": [error("FORBIDDEN", "only an admin may do this")]}

    last = await mutate(client, SET_ROLE, tokens["admin"], user=user_gid(world.admin), role="BASIC")
    assert last["errors"] == [
        error("LAST_ADMIN", "this is the only admin; make somebody else an admin first", "role")
    ]

    made = await mutate(client, SET_ROLE, tokens["admin"], user=user_gid(world.alice), role="ADMIN")
    assert made == {"user": {"email": "alice@example.com", "role": "ADMIN"}, "errors": []}
    # The role is read afresh for every request: alice's old token is an admin's now.
    seen = await client.data(NODE, {"id": user_gid(world.bob)}, token=tokens["alice"])
    assert seen["node"]["email"] == "bob@example.com"


# --- e-mail change --------------------------------------------------------------------------


async def test_an_email_change_is_confirmed_with_the_mailed_code(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    sent = await mutate(client, REQUEST_CHANGE, tokens["alice"], newEmail="alice@new.example")
    assert sent == {"sent": True, "errors": []}
    await gateway.relay.drain()
    code = mail.code_for("alice@new.example")

    wrong = await mutate(
        client, CONFIRM_CHANGE, tokens["alice"], code="000000" if code != "000000" else "111111"
    )
    assert wrong == {"user": None, "errors": [error("INVALID_CODE", BAD_CODE, "code")]}
    stolen = await mutate(client, CONFIRM_CHANGE, tokens["bob"], code=code)
    assert stolen["errors"] == [error("INVALID_CODE", BAD_CODE, "code")]
    done = await mutate(client, CONFIRM_CHANGE, tokens["alice"], code=code)
    assert done == {"user": {"email": "alice@new.example"}, "errors": []}

    await gateway.relay.drain()
    [notice] = mail.to("alice@example.com")
    assert notice.subject == "Your Occupi e-mail address was changed"
    assert "alice@new.example" in notice.body
    me = await client.data(ME, token=tokens["alice"])
    assert me["me"]["email"] == "alice@new.example"


async def test_an_email_change_to_a_taken_address_is_refused(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    taken = await mutate(client, REQUEST_CHANGE, tokens["alice"], newEmail="BOB@example.com")
    assert taken == {
        "sent": False,
        "errors": [error("EMAIL_TAKEN", "bob@example.com already has an account", "newEmail")],
    }
    bad = await mutate(client, REQUEST_CHANGE, tokens["alice"], newEmail="nope")
    assert bad["errors"] == [
        error("INVALID_INPUT", "'nope' is not a valid e-mail address", "newEmail")
    ]


# --- security settings and MFA sign-in ------------------------------------------------------


async def enable_mfa(client: GraphQLClient, token: str) -> None:
    payload = await mutate(client, SECURITY, token, mfa=True, currentPassword=PASSWORD)
    assert payload == {"securitySettings": {"mfa": True}, "errors": []}


async def sign_in(client: GraphQLClient, email: str, password: str = PASSWORD) -> JSON:
    data = await client.data(LOGIN, {"input": {"email": email, "password": password}})
    payload: JSON = data["login"]
    return payload


async def complete(client: GraphQLClient, email: str, code: str) -> JSON:
    data = await client.data(COMPLETE, {"input": {"email": email, "code": code}})
    payload: JSON = data["completeLogin"]
    return payload


async def test_security_settings_need_the_current_password(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    wrong = await mutate(client, SECURITY, tokens["alice"], mfa=True, currentPassword="nope")
    assert wrong == {
        "securitySettings": None,
        "errors": [error("INVALID_INPUT", "the current password is incorrect", "currentPassword")],
    }
    body = await client.run(SECURITY, {"input": {"mfa": True, "currentPassword": PASSWORD}})
    assert body["data"]["updateSecuritySettings"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_an_mfa_sign_in_completes_with_the_mailed_code(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    await enable_mfa(client, tokens["alice"])

    challenged = await sign_in(client, "alice@example.com")
    assert challenged["token"] is None
    assert challenged["codeRequired"] is True
    assert challenged["challenge"]["reason"] == "MFA"
    assert challenged["challenge"]["sent"] is True
    assert challenged["errors"] == []
    await gateway.relay.drain()
    [code_mail] = mail.to("alice@example.com")
    assert code_mail.subject == "Your Occupi sign-in code (mfa)"
    assert "two-step sign-in is on" in code_mail.body

    done = await complete(client, "alice@example.com", mail.code_for("alice@example.com"))
    assert done["errors"] == []
    assert done["user"] == {"email": "alice@example.com"}
    me = await client.data(ME, token=done["token"])
    assert me["me"]["email"] == "alice@example.com"
    again = await complete(client, "alice@example.com", mail.code_for("alice@example.com"))
    assert again["errors"] == [error("INVALID_CODE", BAD_CODE, "code")]


async def test_wrong_sign_in_codes_are_limited(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    await enable_mfa(client, tokens["alice"])
    await sign_in(client, "alice@example.com")
    await gateway.relay.drain()
    code = mail.code_for("alice@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        refused = await complete(client, "alice@example.com", wrong)
        assert refused["errors"] == [error("INVALID_CODE", BAD_CODE, "code")]
    throttled = await complete(client, "alice@example.com", code)
    assert throttled["errors"][0]["code"] == "RATE_LIMITED"
    assert throttled["token"] is None


async def test_a_registration_code_cannot_complete_an_mfa_sign_in(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await enable_mfa(client, tokens["alice"])
    drawn = iter([111_111, 222_222])
    monkeypatch.setattr("gateway.services.codes.secrets.randbelow", lambda _: next(drawn))
    await client.data(REQUEST_REGISTRATION, {"input": {"email": "dave@example.com"}})
    await sign_in(client, "alice@example.com")
    await gateway.relay.drain()
    assert mail.code_for("dave@example.com") == "111111"
    assert mail.code_for("alice@example.com") == "222222"

    for address in ("dave@example.com", "alice@example.com"):
        refused = await complete(client, address, "111111")
        assert refused["errors"] == [error("INVALID_CODE", BAD_CODE, "code")]
    done = await complete(client, "alice@example.com", "222222")
    assert done["errors"] == []


# --- cost ------------------------------------------------------------------------------------

LISTED_DETAILS = """
query Users($first: Int!) {
  users(first: $first) { edges { node { email details { employeeId } securitySettings { mfa } } } }
}
"""


async def test_details_of_a_page_of_users_cost_one_batch(
    client: GraphQLClient, gateway: Gateway, world: World, tokens: dict[str, str]
) -> None:
    for n in range(8):
        await gateway.app.accounts.provision(
            email=f"person{n}@example.com", name=f"Person {n}", password=PASSWORD, role=Role.BASIC
        )
    counts = {}
    for first in (1, 12):
        with counting_statements(gateway) as statements:
            data = await client.data(LISTED_DETAILS, {"first": first}, token=tokens["admin"])
        edges = data["users"]["edges"]
        assert len(edges) == first
        assert all(e["node"]["details"]["employeeId"].startswith("OCCUPI") for e in edges)
        counts[first] = len(statements)
    assert counts[1] == counts[12], counts
