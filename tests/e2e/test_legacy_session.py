"""A legacy mobile client's whole session against `occupi serve` over real HTTP.

An admin sets the place up the way the legacy web app and GraphQL clients do; then the
mobile app signs in and books, with exactly the requests it sends (the raw JWT in
`Authorization`, the documented bodies); afterwards the invitee reads the same booking
over GraphQL, finds the invitation among their notifications and in their mailbox (a real
SMTP server).

Nothing depends on the wall clock: the test's site gets the fixed-offset zone in which it
is about noon now, so booking from now on lies inside the default bookable hours
(08:00-17:00), the check-in window is open at once, and office hours are set to every
day, so toggling on-site works on weekends too.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from rest_compat import occupi
from tests.e2e.test_serve import _free_port, _occupi, _wait_until_up, environment  # noqa: F401
from tests.mail.servers import SmtpServer
from tests.rest_compat.documented import check
from tests.support.images import jpeg

ADMIN = "admin@legacy.example"
ALICE = "alice@legacy.example"
BOB = "bob@legacy.example"
PASSWORD = "Legacy-Sessi0n!"
ROOM = "RM100"
GIN_JSON = "application/json; charset=utf-8"


def zone_where_it_is_noon(now: datetime) -> ZoneInfo:
    """The Etc/GMT zone whose local time is within half an hour of 12:00 at `now`.

    Offsets run from -12 to +14 hours, so such a zone exists at every instant. (Etc/GMT
    names flip the sign: Etc/GMT-3 is three hours ahead of UTC.)"""
    utc = now.astimezone(UTC)
    offset = round(12 - (utc.hour + utc.minute / 60))
    return ZoneInfo("Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}")


def test_the_zone_is_always_about_noon() -> None:
    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    for minutes in range(0, 24 * 60, 7):
        now = start + timedelta(minutes=minutes)
        local = now.astimezone(zone_where_it_is_noon(now))
        assert (
            timedelta(hours=11, minutes=30)
            <= local - local.replace(hour=0, minute=0)
            <= (timedelta(hours=12, minutes=30))
        ), now


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def served(environment: dict[str, str], smtp: SmtpServer) -> Iterator[str]:  # noqa: F811
    """`occupi serve` on an empty, migrated database with one admin; mail to `smtp`."""
    environment["OCCUPI_SMTP_URL"] = f"smtp://{smtp.address}"
    _occupi(environment, "migrate")
    subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "gateway.cli", "create-admin", "--email", ADMIN, "--password-stdin"],
        env=environment,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    port = _free_port()
    # The server's log goes to a file: a pipe nobody reads could fill up and stall it.
    log = Path(environment["OCCUPI_DATA_DIR"]).with_name("serve.log")
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


class Legacy:
    """The mobile app's HTTP calls: the raw JWT in `Authorization`, Gin's envelopes back,
    each answer checked against what /openapi.json declares for it."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.token: str | None = None

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": self.token} if self.token else {}
        response = self.http.request(method, path, headers=headers, **kw)
        if response.status_code == 303:  # the image redirects, declared without a body
            [endpoint] = [e for e in occupi.API.endpoints if (e.method, e.path) == (method, path)]
            assert 303 in endpoint.responses
        else:
            check(response)
            assert response.headers["content-type"] == GIN_JSON
        return response

    def ok(self, method: str, path: str, message: str, **kw: Any) -> Any:
        """The `data` of a 200 with the documented message."""
        body = self.call(method, path, **kw).json()
        assert (body["status"], body["message"]) == (200, message), body
        return body["data"]

    def sign_in(self, email: str, admin: bool = False) -> str:
        path = "/auth/login-admin-mobile" if admin else "/auth/login-mobile"
        response = self.call("POST", path, json={"email": email, "password": PASSWORD})
        body = response.json()
        assert body["message"] == "Successful login!", body
        self.token = body["data"]["token"]
        assert response.headers["authorization"] == f"Bearer {self.token}"
        return self.token


def graphql(http: httpx.Client, token: str | None, query: str, **variables: Any) -> Any:
    answer = http.post(
        "/graphql",
        headers={"Authorization": f"Bearer {token}"} if token else {},
        json={"query": query, "variables": variables},
    )
    body = answer.json()
    assert answer.status_code == 200, body
    assert "errors" not in body, body
    return body["data"]


ADD_LOCATION = """
mutation($input: AddLocationInput!) {
  addLocation(input: $input) { location { id number } errors { code message field } }
}"""
SET_HOURS = """
mutation($input: SetOfficeHoursInput!) {
  setOfficeHours(input: $input) { officeHours { description } errors { code message } }
}"""
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code message } }
}"""
INVITATIONS = """
{ notifications { edges { node { title message kind bookingId } } } }"""
BOOKING = """
query($id: ID!) {
  booking(id: $id) {
    id code status checkedIn start end room { code name }
    attendees { email checkedInAt }
  }
}"""


def set_up_the_place(admin: Legacy, zone: ZoneInfo) -> int:
    """A site in `zone`, open every day, with one room on one floor, and two people;
    returns the floor's number (the legacy `floorNo`)."""
    assert admin.token is not None
    site = add_location(admin, {"kind": "SITE", "name": "Legacy HQ", "timeZone": zone.key})
    every_day = [{"weekday": d, "opens": "00:00:00", "closes": "23:59:00"} for d in range(1, 8)]
    hours = graphql(
        admin.http, admin.token, SET_HOURS, input={"site": site["id"], "days": every_day}
    )
    assert hours["setOfficeHours"]["errors"] == []
    building = add_location(admin, {"kind": "BUILDING", "name": "Main", "parentId": site["id"]})
    floor = add_location(admin, {"kind": "FLOOR", "name": "Ground", "parentId": building["id"]})
    room = {
        "roomId": ROOM,
        "roomNo": "100",
        "floorNo": str(floor["number"]),
        "minOccupancy": 1,
        "maxOccupancy": 6,
        "description": "A room with a view",
        "roomName": "Garden room",
    }
    added = admin.ok("PUT", "/api/add-room", "Successfully added room!", json=room)
    assert added == {"roomid": ROOM}
    for email, name in ((ALICE, "Alice Legacy"), (BOB, "Bob Legacy")):
        person = {"email": email, "password": PASSWORD, "role": "basic", "details": {"name": name}}
        admin.ok("POST", "/api/create-user", "Successfully created user!", json=person)
    return int(floor["number"])


def add_location(admin: Legacy, location: dict[str, str]) -> Any:
    assert admin.token is not None
    added = graphql(admin.http, admin.token, ADD_LOCATION, input=location)["addLocation"]
    assert added["errors"] == [], added
    return added["location"]


def legacy_instant(instant: datetime) -> str:
    """As the mobile app writes times: JavaScript's toISOString()."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_a_legacy_mobile_session_then_graphql_and_the_invitees_notification(
    served: str, smtp: SmtpServer
) -> None:
    zone = zone_where_it_is_noon(datetime.now(UTC))
    with httpx.Client(base_url=served, timeout=20) as http:
        admin = Legacy(http)
        admin.sign_in(ADMIN, admin=True)
        floor = set_up_the_place(admin, zone)

        alice = Legacy(http)
        alice.sign_in(ALICE)
        code, start, end = book_and_use(alice, floor, zone)
        on_site_settings_and_image(alice)

        token = alice.token
        alice.ok("POST", "/auth/logout", "Logged out successfully!")
        refused = alice.call("GET", "/ping-auth")
        assert refused.status_code == 401
        assert refused.json()["error"]["message"] == "User not authorized or Invalid auth token"
        assert token is not None
        after = http.post(
            "/graphql", headers={"Authorization": token}, json={"query": "{ me { email } }"}
        )
        assert after.json()["data"] is None  # the token died for GraphQL too

        bob = graphql(http, None, LOGIN, email=BOB, password=PASSWORD)["login"]
        assert bob["errors"] == []
        read_back(http, bob["token"], code, start, end)
    invitation_mail(smtp, code)


def book_and_use(alice: Legacy, floor: int, zone: ZoneInfo) -> tuple[str, datetime, datetime]:
    """View rooms, available slots, book with an invitee, the conflict, view bookings,
    check in, cancel; returns the booking's code and times."""
    rooms = alice.ok(
        "GET", "/api/view-rooms", "success", params={"filter": json.dumps({"floorNo": floor})}
    )
    assert [(r["roomId"], r["roomName"], r["floorNo"]) for r in rooms] == [
        (ROOM, "Garden room", str(floor))
    ]
    start = (datetime.now(UTC) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=30)
    day = f"{start.astimezone(zone).date().isoformat()}T00:00:00.000Z"
    slots = alice.ok(
        "GET",
        "/api/available-slots",
        "Successfully fetched available slots!",
        params={"roomId": ROOM, "date": day},
    )
    assert any(covers(slot, start, end) for slot in slots), slots

    booking = {
        "roomId": ROOM,
        "roomName": "Garden room",
        "emails": [ALICE, BOB],
        "creator": ALICE,
        "floorNo": str(floor),
        "date": day,
        "start": legacy_instant(start),
        "end": legacy_instant(end),
    }
    code = alice.ok("POST", "/api/book-room", "Successfully booked!", json=booking)
    assert isinstance(code, str)
    assert code.startswith(f"BOOKOCCUPI{start.year}")
    conflict = alice.call("POST", "/api/book-room", json=booking)
    assert (conflict.status_code, conflict.json()) == (
        400,
        {
            "error": {
                "code": "BAD_REQUEST",
                "details": None,
                "message": "Booking coincides with another booking",
            },
            "message": "Booking coincides with another booking",
            "status": 400,
        },
    )
    after = alice.ok(
        "GET",
        "/api/available-slots",
        "Successfully fetched available slots!",
        params={"roomId": ROOM, "date": day},
    )
    assert not any(overlaps(slot, start, end) for slot in after or [])

    mine = {"filter": json.dumps({"email": ALICE})}
    [row] = alice.ok("GET", "/api/view-bookings", "success", params=mine)
    assert (row["occupiId"], row["roomId"], row["emails"], row["creator"]) == (
        code,
        ROOM,
        [ALICE, BOB],
        ALICE,
    )
    assert (parsed(row["start"]), parsed(row["end"]), row["checkedIn"]) == (start, end, False)

    checked = {"bookingId": code, "email": ALICE}
    alice.ok("POST", "/api/check-in", "Successfully checked in!", json=checked)
    [row] = alice.ok("GET", "/api/view-bookings", "success", params=mine)
    assert row["checkedIn"] is True

    alice.ok(
        "POST",
        "/api/cancel-booking",
        "Successfully cancelled booking!",
        json={**booking, "bookingId": code},
    )
    assert alice.ok("GET", "/api/view-bookings", "success", params=mine) is None
    return code, start, end


def on_site_settings_and_image(alice: Legacy) -> None:
    """Toggle on-site, the notification and security settings, a profile image."""
    alice.ok(
        "PUT", "/api/toggle-onsite", "Successfully toggled onsite status!", json={"onSite": "Yes"}
    )
    again = alice.call("PUT", "/api/toggle-onsite", json={"onSite": "Yes"})
    assert (again.status_code, again.json()["message"]) == (400, "Failed to toggle onsite status")
    alice.ok(
        "PUT", "/api/toggle-onsite", "Successfully toggled onsite status!", json={"onSite": "No"}
    )

    alice.ok(
        "GET",
        "/api/update-notification-settings",
        "Successfully updated notification settings!",
        params={"invites": "on", "bookingReminder": "off"},
    )
    settings = alice.ok(
        "GET", "/api/get-notification-settings", "Successfully fetched notification settings!"
    )
    assert settings == {"email": ALICE, "invites": "on", "bookingReminder": "off"}
    security = alice.ok(
        "GET", "/api/get-security-settings", "Successfully fetched security settings!"
    )
    assert (security["email"], security["mfa"]) == (ALICE, "off")

    photo = jpeg()
    alice.ok(
        "POST",
        "/api/upload-profile-image",
        "Successfully uploaded image!",
        files={"image": ("photo.jpg", photo, "image/jpeg")},
    )
    redirect = alice.call("GET", "/api/download-profile-image", params={"quality": "mid"})
    assert redirect.status_code == 303
    location = redirect.headers["location"]
    assert re.fullmatch(r"/images/[0-9a-f-]{36}/mid", location), location
    image = alice.http.get(location, headers={"Authorization": alice.token or ""})
    assert (image.status_code, image.headers["content-type"]) == (200, "image/jpeg")
    assert image.content[:2] == b"\xff\xd8"  # a JPEG, re-encoded without the metadata
    assert b"secret-location" not in image.content


def read_back(http: httpx.Client, token: str, code: str, start: datetime, end: datetime) -> None:
    """The invitee reads the booking over GraphQL and finds the invitation."""
    booking = graphql(http, token, BOOKING, id=code)["booking"]
    assert (booking["code"], booking["status"], booking["checkedIn"]) == (code, "CANCELLED", True)
    assert (parsed(booking["start"]), parsed(booking["end"])) == (start, end)
    assert booking["room"] == {"code": ROOM, "name": "Garden room"}
    assert [a["email"] for a in booking["attendees"]] == [ALICE, BOB]
    assert booking["attendees"][0]["checkedInAt"] is not None
    notes = [e["node"] for e in graphql(http, token, INVITATIONS)["notifications"]["edges"]]
    invitations = [n for n in notes if n["kind"] == "INVITATION"]
    assert [n["bookingId"] for n in invitations] == [booking["id"]], notes
    assert invitations[0]["title"] == "Booking Invitation"
    assert invitations[0]["message"].startswith(f"{ALICE} invited you to a booking in Garden room")


def invitation_mail(smtp: SmtpServer, code: str) -> None:
    """The invitation reaches the invitee's mailbox (the relay sends after commit)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        invited = [
            m for m in smtp.delivered if m.message["subject"] == "You're invited: Garden room"
        ]
        if invited:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(
            f"no invitation mail: {[m.message['subject'] for m in smtp.delivered]}"
        )
    [mail] = invited
    assert mail.rcpt_tos == [BOB]
    assert f"{ALICE} invited you to a booking." in mail.plain
    assert code in mail.plain


def covers(slot: dict[str, str], start: datetime, end: datetime) -> bool:
    return parsed(slot["start"]) <= start and end <= parsed(slot["end"])


def overlaps(slot: dict[str, str], start: datetime, end: datetime) -> bool:
    return parsed(slot["start"]) < end and start < parsed(slot["end"])


def parsed(text: str) -> datetime:
    instant = datetime.fromisoformat(text)
    assert instant.tzinfo is not None, text
    return instant.astimezone(UTC)
