"""The legacy routes go through the same use cases, so they are audited alike: a legacy
registration (register, then verify-otp) and a forgotten-password reset, without the
password, its hash, the push device or the code in any event."""

from __future__ import annotations

import json

import httpx

from domain.audit import AuditEvent
from gateway.app import Gateway
from gateway.services.audit_records import AuditQuery
from tests.rest_compat.test_occupi_auth import post
from tests.rest_compat.test_occupi_registration import code_for, reset_body
from tests.support.mail import RecordingSender
from tests.support.world import World

SECRET = "N3w-Passw0rd!"
DEVICE = "ExponentPushToken[dave]"


async def _events(gateway: Gateway) -> list[AuditEvent]:
    return [e async for e in gateway.app.audit.export_as_operator(AuditQuery())]


def _text(events: list[AuditEvent]) -> str:
    return json.dumps([[e.before, e.after] for e in events])


async def test_a_legacy_registration_is_audited_once_as_anonymous(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    before = len(await _events(gateway))
    body = {"email": "dave@example.com", "password": SECRET, "expoPushToken": DEVICE}
    assert (await post(http, "/auth/register", body)).status_code == 200
    assert len(await _events(gateway)) == before  # nothing is an account yet
    code = await code_for(gateway, mail, "dave@example.com")

    done = await post(http, "/auth/verify-otp", {"email": "dave@example.com", "otp": code})

    assert done.status_code == 200
    events = await _events(gateway)
    assert len(events) == before + 1
    (event,) = events[:1]
    assert (event.actor.label, event.entity.value, event.action) == (
        "anonymous",
        "user",
        "registered",
    )
    assert event.after is not None
    assert event.after["email"] == "dave@example.com"
    for secret in (SECRET, DEVICE, code, "argon2"):
        assert secret not in _text(events)


async def test_a_password_reset_is_audited_and_revokes_the_tokens(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    assert (await post(http, "/auth/forgot-password", {"email": "alice@example.com"})).is_success
    code = await code_for(gateway, mail, "alice@example.com")
    before = len(await _events(gateway))
    wrong = await post(http, "/auth/reset-password-login", reset_body("000000", SECRET))
    assert wrong.status_code == 400
    assert len(await _events(gateway)) == before  # the counted attempt changes no account

    done = await post(http, "/auth/reset-password-mobile-login", reset_body(code, SECRET))

    assert done.status_code == 200
    events = await _events(gateway)
    assert [(e.action, e.actor.label) for e in events[: len(events) - before]] == [
        ("signed_out_everywhere", f"user:{world.alice.id}"),
        ("password_reset", "anonymous"),
    ]
    assert {e.entity_id for e in events[:2]} == {str(world.alice.id)}
    for secret in (SECRET, code, "argon2", done.json()["data"]["token"]):
        assert secret not in _text(events)
