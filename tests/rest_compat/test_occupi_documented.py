"""Every answer of a legacy client's session over the rest-auth endpoints is one its
endpoint documents in /openapi.json (status and body model): sign-in, listings, a
booking and its slot conflict, check-in refusal, cancellation, add-room, logout."""

from __future__ import annotations

import httpx

from tests.rest_compat.documented import check
from tests.support.world import PASSWORD, World

LATER = {"start": "2026-11-24T07:00:00Z", "end": "2026-11-24T08:00:00Z"}


async def test_a_session_is_answered_as_documented(http: httpx.AsyncClient, world: World) -> None:
    answers: list[httpx.Response] = []

    async def call(
        method: str, path: str, token: str | None = None, **kw: object
    ) -> httpx.Response:
        headers = {"Authorization": token} if token else {}
        response = await http.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
        answers.append(response)
        return response

    creds = {"email": "alice@example.com", "password": PASSWORD}
    await call("POST", "/auth/login", json={"email": "alice@example.com"})
    await call("POST", "/auth/login", json={**creds, "password": "Wr0ng-password!"})
    token = (await call("POST", "/auth/login-mobile", json=creds)).json()["data"]["token"]
    admin = (
        await call(
            "POST",
            "/auth/login-admin-mobile",
            json={"email": "admin@example.com", "password": PASSWORD},
        )
    ).json()["data"]["token"]
    await call("POST", "/auth/login-admin", json=creds)
    await call("POST", "/auth/login", token, json=creds)
    await call("POST", "/auth/register", json={"email": "dave@example.com", "password": PASSWORD})
    await call("POST", "/auth/register", json={"email": "dave@example.com", "password": PASSWORD})
    await call("POST", "/auth/resend-otp", json={"email": "dave@example.com"})
    await call("POST", "/auth/resend-otp", json={"email": "dave@example.com"})
    await call("POST", "/auth/verify-otp", json={"email": "dave@example.com", "otp": "000000"})
    await call("POST", "/auth/is-verified", json={"email": "dave@example.com"})
    await call("POST", "/auth/forgot-password", json={"email": "alice@example.com"})
    await call(
        "POST",
        "/auth/reset-password-login",
        json={
            "email": "alice@example.com",
            "otp": "1",
            "newPassword": "x",
            "newPasswordConfirm": "x",
        },
    )
    await call("GET", "/api/view-rooms", token)
    await call("GET", "/api/view-rooms", token, params={"filter": '{"password": 1}'})
    await call("GET", "/api/get-users", token)
    await call("GET", "/api/get-users", admin, params={"limit": "2"})
    booking = {"roomId": "RM000", "emails": ["bob@example.com"], "floorNo": 1, **LATER}
    code = (await call("POST", "/api/book-room", token, json=booking)).json()["data"]
    await call("POST", "/api/book-room", token, json=booking)
    await call("POST", "/api/book-room", token, json={**booking, "creator": "bob@example.com"})
    await call("POST", "/api/book-room", token, json={**booking, "roomId": "RM404"})
    await call(
        "GET", "/api/view-bookings", token, params={"filter": '{"email": "alice@example.com"}'}
    )
    await call(
        "GET", "/api/view-bookings", token, params={"filter": '{"email": "bob@example.com"}'}
    )
    await call("GET", "/api/view-bookings", token)
    await call(
        "GET", "/api/available-slots", token, params={"roomId": "RM000", "date": LATER["start"]}
    )
    await call("GET", "/api/available-slots", token, params={"roomId": "RM000"})
    await call("GET", "/api/get-notifications", token)
    await call("POST", "/api/check-in", token, json={"bookingId": code, "email": "bob@example.com"})
    await call("POST", "/api/check-in", token, json={"bookingId": "BOOKOCCUPI0000"})
    await call("POST", "/api/cancel-booking", token, json={"bookingId": code})
    room = {
        "roomId": "RM100",
        "roomNo": 1,
        "floorNo": world.floor_id,
        "minOccupancy": 1,
        "roomName": "R",
    }
    await call("PUT", "/api/add-room", admin, json=room)
    await call("PUT", "/api/add-room", admin, json=room)
    await call("PUT", "/api/add-room", token, json=room)
    await call("POST", "/auth/logout", token)
    await call("POST", "/auth/logout", token)

    assert {r.status_code for r in answers} >= {200, 400, 401, 403, 404, 429}
    for response in answers:
        check(response)
