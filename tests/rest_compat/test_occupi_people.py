"""Golden tests: user-details, update-user, create-user and toggle-admin-status, through
the real app, with refusals for basic users naming somebody else."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from domain.users import Role
from gateway.app import Gateway
from tests.rest_compat.occupi_self import (
    NOT_ADMIN,
    NOT_YOURS,
    UNAUTHORISED,
    USER_NOT_FOUND,
    answer,
    bad,
    error,
    ok,
    raw,
)
from tests.support.mail import RecordingSender
from tests.support.world import World

EMPLOYEE_ID = re.compile(r"^OCCUPI2026\d{4}$")
NO_DOB = "0001-01-01 00:00:00 +0000 UTC"


def details(email: str, name: str, employee_id: str, **more: str) -> dict[str, Any]:
    found = {
        "email": email,
        "name": name,
        "dob": NO_DOB,
        "gender": "",
        "session_email": email,
        "employeeid": employee_id,
        "number": "",
        "pronouns": "",
    }
    found.update(more)
    return found


async def fetch_details(
    http: httpx.AsyncClient, tokens: dict[str, str], who: str, email: str | None = None
) -> tuple[int, Any]:
    params = {"email": email} if email else {}
    return answer(await http.get("/api/user-details", params=params, headers=raw(tokens, who)))


# --- user-details -----------------------------------------------------------------------


async def test_user_details_of_the_caller(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    response = await http.get("/api/user-details", headers=raw(tokens, "alice"))
    status, body = answer(response)
    employee_id = body["data"]["employeeid"]
    assert EMPLOYEE_ID.match(employee_id)
    assert (status, body) == (
        200,
        ok(
            "Successfully fetched user details!",
            details("alice@example.com", "Alice", employee_id),
        ),
    )
    # The original's struct order, not sorted keys.
    assert response.content.startswith(b'{"data":{"email":"alice@example.com","name":"Alice",')


@pytest.mark.parametrize("form", ["query", "json"])
async def test_user_details_naming_oneself(
    http: httpx.AsyncClient, tokens: dict[str, str], form: str
) -> None:
    kwargs: dict[str, Any] = (
        {"params": {"email": "Alice@Example.com"}}
        if form == "query"
        else {"json": {"email": "alice@example.com"}}
    )
    response = await http.request(
        "GET", "/api/user-details", headers=raw(tokens, "alice"), **kwargs
    )
    status, body = answer(response)
    assert status == 200
    assert body["data"]["email"] == "alice@example.com"


@pytest.mark.parametrize("form", ["query", "json"])
async def test_a_basic_user_cannot_read_another_persons_details(
    http: httpx.AsyncClient, tokens: dict[str, str], form: str
) -> None:
    kwargs: dict[str, Any] = (
        {"params": {"email": "bob@example.com"}}
        if form == "query"
        else {"json": {"email": "bob@example.com"}}
    )
    response = await http.request(
        "GET", "/api/user-details", headers=raw(tokens, "alice"), **kwargs
    )
    assert answer(response) == (403, NOT_YOURS)
    # Whether the address has an account is not told either.
    nobody = await fetch_details(http, tokens, "alice", "nobody@example.com")
    assert nobody == (403, NOT_YOURS)


async def test_an_admin_reads_anybodys_details(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    status, body = await fetch_details(http, tokens, "admin", "bob@example.com")
    assert status == 200
    assert body["data"] == details("bob@example.com", "Bob", body["data"]["employeeid"])
    assert await fetch_details(http, tokens, "admin", "nobody@example.com") == (
        404,
        USER_NOT_FOUND,
    )


async def test_user_details_with_a_bad_email(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    assert await fetch_details(http, tokens, "admin", "nope") == (
        400,
        bad("email: 'nope' is not a valid e-mail address"),
    )


async def test_user_details_needs_a_token(http: httpx.AsyncClient) -> None:
    assert answer(await http.get("/api/user-details")) == (401, UNAUTHORISED)


# --- update-user ------------------------------------------------------------------------

UPDATED = ok("Successfully updated user details!")


async def update(
    http: httpx.AsyncClient, tokens: dict[str, str], who: str, **fields: object
) -> tuple[int, Any]:
    return answer(await http.post("/api/update-user", json=fields, headers=raw(tokens, who)))


@pytest.mark.parametrize("dob", ["2002-03-08", "2002-03-08 00:00:00 +0000 UTC"])
async def test_update_user_changes_ones_own_details(
    http: httpx.AsyncClient, tokens: dict[str, str], dob: str
) -> None:
    changed = await update(
        http,
        tokens,
        "alice",
        session_email="alice@example.com",
        name="Alice Smith",
        dob=dob,
        gender="Female",
        number="000 000 0000",
        pronouns="she/her",
    )
    assert changed == (200, UPDATED)
    _status, body = await fetch_details(http, tokens, "alice")
    assert body["data"] == details(
        "alice@example.com",
        "Alice Smith",
        body["data"]["employeeid"],
        dob="2002-03-08 00:00:00 +0000 UTC",
        gender="Female",
        number="000 000 0000",
        pronouns="she/her",
    )


async def test_a_basic_user_cannot_update_another_person(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    before = await fetch_details(http, tokens, "bob")
    refused = await update(
        http, tokens, "alice", session_email="bob@example.com", name="Mallory", email="m@evil.io"
    )
    assert refused == (403, NOT_YOURS)
    assert await fetch_details(http, tokens, "bob") == before


async def test_an_admin_updates_anybody(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    changed = await update(
        http, tokens, "admin", session_email="bob@example.com", name="Robert", employeeid="OCCUPI1"
    )
    assert changed == (200, UPDATED)
    _status, body = await fetch_details(http, tokens, "admin", "bob@example.com")
    assert (body["data"]["name"], body["data"]["employeeid"]) == ("Robert", "OCCUPI1")
    assert await update(http, tokens, "admin", session_email="nobody@example.com", name="X") == (
        404,
        USER_NOT_FOUND,
    )


async def test_update_user_refusals_and_bad_input(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    before = await fetch_details(http, tokens, "alice")
    assert await update(http, tokens, "alice", dob="08/03/2002") == (
        400,
        bad("dob must be a date such as 2002-03-08"),
    )
    assert await update(http, tokens, "alice", number="12") == (
        400,
        bad(
            "a contact number has at least 7 digits, optionally a leading + and "
            "single spaces or hyphens between groups"
        ),
    )
    assert await update(http, tokens, "alice", name=["x"]) == (400, bad("name must be a string"))
    assert await update(http, tokens, "alice", employeeid="OCCUPI20249999") == (
        403,
        error(403, "FORBIDDEN", "only admins may set employeeId", "Forbidden"),
    )
    assert await fetch_details(http, tokens, "alice") == before


async def test_the_apps_whole_form_with_the_current_employee_id_is_saved(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    _status, before = await fetch_details(http, tokens, "alice")
    assert before["data"]["dob"] == NO_DOB
    assert await update(http, tokens, "alice", **before["data"]) == (200, UPDATED)
    form = {**before["data"], "name": "Alice Smith", "dob": "2002-03-08T00:00:00.000Z"}
    assert await update(http, tokens, "alice", **form) == (200, UPDATED)
    _status, after = await fetch_details(http, tokens, "alice")
    assert after["data"] == {
        **before["data"],
        "name": "Alice Smith",
        "dob": "2002-03-08 00:00:00 +0000 UTC",
    }


async def test_a_new_email_is_confirmed_by_a_mailed_code(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, mail: RecordingSender
) -> None:
    asked = await update(http, tokens, "alice", email="alice@new.example", pronouns="they")
    assert asked == (200, UPDATED)
    await gateway.relay.drain()
    assert re.fullmatch(r"\d{6}", mail.code_for("alice@new.example"))
    _status, body = await fetch_details(http, tokens, "alice")
    assert (body["data"]["email"], body["data"]["pronouns"]) == ("alice@example.com", "they")


async def test_a_new_email_must_be_free_and_ones_own(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    assert await update(http, tokens, "alice", email="bob@example.com") == (
        400,
        error(400, "INVALID_REQUEST_PAYLOAD", "Email already exists", "Email already exists"),
    )
    assert await update(
        http, tokens, "admin", session_email="bob@example.com", email="bob@new.example"
    ) == (400, bad("email: only the person themselves can change their address"))


# --- create-user ------------------------------------------------------------------------

DOCUMENTED = {
    "employee_id": "OCCUPI20240000",
    "password": "Str0ng!pass",
    "email": "john@example.com",
    "role": "admin",
    "details": {
        "contactNo": "000 000 0000",
        "name": "John Doe",
        "dob": "2002-03-08 00:00:00 +0000 UTC",
        "gender": "Male",
        "pronouns": "he/him",
    },
    "notifications": {"invites": "on", "bookingReminder": "off"},
    "status": "active",
    "position": "Software Engineer",
    "departmentNo": 1,
    "expoPushToken": "ExponentPushToken[000000000000000000000000]",
    "blockAnonymousIPAddress": True,
}
CREATED = ok("Successfully created user!")


async def create(http: httpx.AsyncClient, tokens: dict[str, str], **body: Any) -> tuple[int, Any]:
    return answer(await http.post("/api/create-user", json=body, headers=raw(tokens, "admin")))


async def test_create_user_with_the_documented_body(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    assert await create(http, tokens, **DOCUMENTED) == (200, CREATED)
    _status, body = await fetch_details(http, tokens, "admin", "john@example.com")
    assert body["data"] == details(
        "john@example.com",
        "John Doe",
        "OCCUPI20240000",
        dob="2002-03-08 00:00:00 +0000 UTC",
        gender="Male",
        number="000 000 0000",
        pronouns="he/him",
    )
    settings = await http.get(
        "/api/get-notification-settings",
        params={"email": "john@example.com"},
        headers=raw(tokens, "admin"),
    )
    assert settings.json()["data"] == {
        "email": "john@example.com",
        "invites": "on",
        "bookingReminder": "off",
    }
    john = await gateway.app.lookup.person(world.principal(world.admin), "john@example.com")
    assert john.role is Role.ADMIN
    admin = world.principal(world.admin)
    assert await gateway.app.addresses.blocks_anonymous(admin, john.id) is True
    assert await gateway.app.notifications.push_tokens_of(admin, ["john@example.com"]) == (
        DOCUMENTED["expoPushToken"],
    )


@pytest.mark.parametrize(("role", "expected"), [("user", Role.BASIC), ("basic", Role.BASIC)])
async def test_create_user_roles(
    http: httpx.AsyncClient,
    tokens: dict[str, str],
    gateway: Gateway,
    world: World,
    role: str,
    expected: Role,
) -> None:
    body = {"email": "jane@example.com", "password": "Str0ng!pass", "role": role}
    assert await create(http, tokens, **body) == (200, CREATED)
    jane = await gateway.app.lookup.person(world.principal(world.admin), "jane@example.com")
    assert (jane.role, jane.name) == (expected, "jane")


async def test_create_user_errors(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    base = {"email": "jane@example.com", "password": "Str0ng!pass"}
    assert await create(http, tokens, **base, role="boss") == (
        400,
        bad("role must be 'admin' or 'basic' ('user' means basic)"),
    )
    assert await create(http, tokens, email="jane@example.com") == (
        400,
        bad("password must be provided"),
    )
    status, body = await create(http, tokens, email="jane@example.com", password="short")
    assert (status, body["error"]["code"]) == (400, "BAD_REQUEST")
    assert body["error"]["message"].startswith("password")
    assert await create(http, tokens, **{**base, "notifications": {"invites": "maybe"}}) == (
        400,
        bad("notifications.invites must be true or false"),
    )
    assert await create(http, tokens, **{**base, "email": "bob@example.com"}) == (
        400,
        error(400, "INVALID_REQUEST_PAYLOAD", "Email already exists", "Email already exists"),
    )
    # Nothing was created by the refused requests.
    missing = await http.get(
        "/api/user-details", params={"email": "jane@example.com"}, headers=raw(tokens, "admin")
    )
    assert answer(missing) == (404, USER_NOT_FOUND)


async def test_create_user_is_for_admins(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    response = await http.post(
        "/api/create-user",
        json={"email": "jane@example.com", "password": "Str0ng!pass", "role": "admin"},
        headers=raw(tokens, "alice"),
    )
    assert answer(response) == (401, NOT_ADMIN)
    found = await fetch_details(http, tokens, "admin", "jane@example.com")
    assert found == (404, USER_NOT_FOUND)


# --- toggle-admin-status ----------------------------------------------------------------

TOGGLED = ok("Successfully toggled admin status and sent notifications!")


async def role_of(gateway: Gateway, world: World, email: str) -> Role | None:
    return (await gateway.app.lookup.person(world.principal(world.admin), email)).role


async def test_toggle_admin_status(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    promoted = await http.put(
        "/api/toggle-admin-status",
        json={"email": "alice@example.com", "role": "admin"},
        headers=raw(tokens, "admin"),
    )
    assert answer(promoted) == (200, TOGGLED)
    assert await role_of(gateway, world, "alice@example.com") is Role.ADMIN
    told = await gateway.app.notifications.counts(world.principal(world.alice))
    assert (told.unread, told.total) == (1, 1)
    demoted = await http.put(
        "/api/toggle-admin-status",
        params={"email": "alice@example.com", "role": "basic"},
        headers=raw(tokens, "admin"),
    )
    assert answer(demoted) == (200, TOGGLED)
    assert await role_of(gateway, world, "alice@example.com") is Role.BASIC


async def test_toggle_admin_status_errors(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    async def toggle(who: str, **body: str) -> tuple[int, Any]:
        response = await http.put("/api/toggle-admin-status", json=body, headers=raw(tokens, who))
        return answer(response)

    assert await toggle("alice", email="alice@example.com", role="admin") == (401, NOT_ADMIN)
    assert await role_of(gateway, world, "alice@example.com") is Role.BASIC
    assert await toggle("admin", email="alice@example.com", role="boss") == (
        400,
        bad("role must be 'admin' or 'basic' ('user' means basic)"),
    )
    assert await toggle("admin", role="admin") == (400, bad("email must be provided"))
    assert await toggle("admin", email="nobody@example.com", role="admin") == (
        404,
        USER_NOT_FOUND,
    )
    last = "this is the only admin; make somebody else an admin first"
    assert await toggle("admin", email="admin@example.com", role="basic") == (
        400,
        error(400, "BAD_REQUEST", last, last),
    )
