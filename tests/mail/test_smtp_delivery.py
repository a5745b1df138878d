"""Mail over real SMTP: what the app queues reaches a local aiosmtpd server after the relay
drains, with Bcc recipients in the envelope only; AUTH from the URL, STARTTLS and TLS with
a self-signed certificate, and failures recorded and retried after the backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select

from gateway.app import Gateway
from gateway.mail.relay import retry_delay
from gateway.services.records import OutgoingMail
from gateway.store.tables import outbox
from tests.mail.conftest import GatewayFactory
from tests.mail.servers import Certificate, SmtpServer, free_port
from tests.support.bookings import book
from tests.support.clock import MutableClock
from tests.support.graphql import GraphQLClient

# aiosmtpd warns about AUTH without TLS; on loopback, in a test, that is what we want.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

LETTER = OutgoingMail(to=("dana@example.com",), subject="Hello", body="Hello, Dana.\n")
# Characters a URL must percent-encode, in both the user name and the password.
USER = "mailer@occupi.example"
PASSWORD = "p@ss:w/rd %&?#"


async def queue(gateway: Gateway, *mails: OutgoingMail) -> None:
    async with gateway.db.writing() as uow:
        for mail in mails:
            await uow.outbox.add(mail)
        await uow.commit()


async def rows(gateway: Gateway) -> list[tuple[str, int, bool, str | None]]:
    """(subject, attempts, sent, last_error) of every outbox row, in id order."""
    async with gateway.db.engine.connect() as connection:
        found = await connection.execute(select(outbox).order_by(outbox.c.id))
        return [(r.subject, r.attempts, r.sent_at is not None, r.last_error) for r in found]


def credentials(user: str, password: str) -> str:
    return f"{quote(user, safe='')}:{quote(password, safe='')}@"


@pytest.fixture
def server_with_auth() -> Iterator[SmtpServer]:
    server = SmtpServer(users={USER: PASSWORD})
    server.start()
    yield server
    server.stop()


# --- what the app sends ---------------------------------------------------------------------


async def test_a_booking_confirmation_and_invitation_reach_the_smtp_server(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    smtp_server: SmtpServer,
    clock: MutableClock,
) -> None:
    payload = await book(
        client, tokens["alice"], attendees=["bob@example.com", "carol@example.com"]
    )
    assert payload["errors"] == []
    code = payload["booking"]["code"]

    assert await gateway.relay.drain() == 2

    confirmation, invitation = smtp_server.delivered
    assert confirmation.mail_from == "rooms@occupi.example"
    assert confirmation.rcpt_tos == ["alice@example.com"]
    headers = confirmation.message
    assert headers["From"] == "Occupi Rooms <rooms@occupi.example>"
    assert headers["To"] == "alice@example.com"
    assert headers["Subject"] == "Booking confirmed: Room 0"
    assert headers["Message-ID"].endswith("@occupi.example>")
    assert parsedate_to_datetime(headers["Date"]) == clock.now()
    assert headers.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in headers.iter_parts()] == ["text/plain", "text/html"]
    assert code in confirmation.plain
    assert confirmation.plain.startswith("Your booking is confirmed.\n")
    assert code in confirmation.html
    assert "<p>Your booking is confirmed.</p>" in confirmation.html
    assert f"Booking: {code}<br>" in confirmation.html

    assert invitation.rcpt_tos == ["bob@example.com", "carol@example.com"]
    assert invitation.message["Subject"] == "You're invited: Room 0"
    assert invitation.message["To"] == "undisclosed-recipients:;"
    assert "Bcc" not in invitation.message
    headers_text = "\n".join(f"{name}: {value}" for name, value in invitation.message.items())
    assert "bob@" not in headers_text
    assert "carol@" not in headers_text
    assert code in invitation.plain
    assert code in invitation.html
    assert invitation.message["Message-ID"] != headers["Message-ID"]

    assert [(s, a, sent) for s, a, sent, _ in await rows(gateway)] == [
        ("Booking confirmed: Room 0", 1, True),
        ("You're invited: Room 0", 1, True),
    ]
    assert await gateway.relay.drain() == 0
    assert len(smtp_server.delivered) == 2


async def test_text_beyond_ascii_arrives_intact(gateway: Gateway, smtp_server: SmtpServer) -> None:
    await queue(
        gateway,
        OutgoingMail(
            to=("zoe@example.com",), subject="Réunion — salle « A »", body="Zoë & co <b>\n"
        ),
    )

    assert await gateway.relay.drain() == 1

    [delivered] = smtp_server.delivered
    assert delivered.message["Subject"] == "Réunion — salle « A »"
    assert delivered.plain == "Zoë & co <b>\n"
    assert "<p>Zoë &amp; co &lt;b&gt;</p>" in delivered.html


# --- AUTH -------------------------------------------------------------------------------------


async def test_auth_with_a_percent_encoded_user_and_password(
    gateways: GatewayFactory, server_with_auth: SmtpServer
) -> None:
    # The test server offers no TLS, so the test says so: credentials otherwise need TLS.
    gateway = gateways(
        f"smtp://{credentials(USER, PASSWORD)}{server_with_auth.address}?starttls=off"
    )
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 1

    [delivered] = server_with_auth.delivered
    assert delivered.user == USER
    assert delivered.rcpt_tos == ["dana@example.com"]
    assert await rows(gateway) == [("Hello", 1, True, None)]


async def test_a_wrong_password_is_recorded_and_the_mail_stays_unsent(
    gateways: GatewayFactory, server_with_auth: SmtpServer, clock: MutableClock
) -> None:
    wrong = "not-the-password"
    gateway = gateways(f"smtp://{credentials(USER, wrong)}{server_with_auth.address}?starttls=off")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 0

    [(subject, attempts, sent, error)] = await rows(gateway)
    assert (subject, attempts, sent) == ("Hello", 1, False)
    assert error is not None
    assert f"SMTP server {server_with_auth.address}: authentication failed: 535" in error
    assert wrong not in error
    assert server_with_auth.delivered == []
    clock.advance(retry_delay(1))
    assert await gateway.relay.drain() == 0  # retried, and refused again
    assert [(a, sent) for _, a, sent, _ in await rows(gateway)] == [(2, False)]


async def test_without_credentials_a_server_that_requires_auth_refuses(
    gateways: GatewayFactory, server_with_auth: SmtpServer
) -> None:
    gateway = gateways(f"smtp://{server_with_auth.address}")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 0

    [(_, _, sent, error)] = await rows(gateway)
    assert not sent
    assert error is not None
    assert "530" in error


# --- TLS --------------------------------------------------------------------------------------


@pytest.fixture
def starttls_server(certificate: Certificate) -> Iterator[SmtpServer]:
    """Offers STARTTLS and refuses mail sent without it; AUTH only over TLS."""
    server = SmtpServer(starttls=certificate, users={USER: PASSWORD})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tls_server(certificate: Certificate) -> Iterator[SmtpServer]:
    server = SmtpServer(implicit_tls=certificate)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("starttls", ["", "starttls=required&"], ids=["offered", "required"])
async def test_starttls_with_a_trusted_self_signed_certificate(
    gateways: GatewayFactory,
    starttls_server: SmtpServer,
    certificate: Certificate,
    starttls: str,
) -> None:
    login = credentials(USER, PASSWORD)
    gateway = gateways(
        f"smtp://{login}{starttls_server.address}?{starttls}cafile={quote(str(certificate.cert))}"
    )
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 1

    [delivered] = starttls_server.delivered
    assert delivered.tls
    assert delivered.user == USER


async def test_an_untrusted_certificate_fails_and_is_recorded(
    gateways: GatewayFactory, starttls_server: SmtpServer
) -> None:
    login = credentials(USER, PASSWORD)
    gateway = gateways(f"smtp://{login}{starttls_server.address}?starttls=required")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 0

    [(_, attempts, sent, error)] = await rows(gateway)
    assert (attempts, sent) == (1, False)
    assert error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in error
    assert PASSWORD not in error
    assert starttls_server.delivered == []


async def test_starttls_required_fails_when_the_server_does_not_offer_it(
    gateways: GatewayFactory, smtp_server: SmtpServer
) -> None:
    gateway = gateways(f"smtp://{smtp_server.address}?starttls=required")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 0

    [(_, _, sent, error)] = await rows(gateway)
    assert not sent
    assert error is not None
    assert "STARTTLS" in error
    assert smtp_server.delivered == []


async def test_starttls_off_sends_in_the_clear(
    gateways: GatewayFactory, smtp_server: SmtpServer, starttls_server: SmtpServer
) -> None:
    plain = gateways(f"smtp://{smtp_server.address}?starttls=off")
    await queue(plain, LETTER)
    assert await plain.relay.drain() == 1
    assert [d.tls for d in smtp_server.delivered] == [False]

    # A server that insists on STARTTLS refuses a client that will not use it.
    refused = gateways(f"smtp://{starttls_server.address}?starttls=off")
    await queue(refused, LETTER)
    assert await refused.relay.drain() == 0
    assert starttls_server.delivered == []


async def test_smtps_is_tls_from_the_start(
    gateways: GatewayFactory, tls_server: SmtpServer, certificate: Certificate
) -> None:
    gateway = gateways(f"smtps://{tls_server.address}?cafile={quote(str(certificate.cert))}")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 1

    [delivered] = tls_server.delivered
    assert delivered.tls


# --- the server away --------------------------------------------------------------------------


async def test_a_server_that_is_down_is_retried_after_the_backoff(
    gateways: GatewayFactory, clock: MutableClock
) -> None:
    port = free_port()
    gateway = gateways(f"smtp://127.0.0.1:{port}")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 0

    [(_, attempts, sent, error)] = await rows(gateway)
    assert (attempts, sent) == (1, False)
    assert error is not None
    assert f"SMTP server 127.0.0.1:{port}: " in error
    assert "connect" in error.lower()

    server = SmtpServer(port=port)
    await asyncio.to_thread(server.start)
    try:
        clock.advance(retry_delay(1) - timedelta(seconds=1))
        assert await gateway.relay.drain() == 0  # still backing off
        assert server.delivered == []

        clock.advance(timedelta(seconds=1))
        assert await gateway.relay.drain() == 1
    finally:
        await asyncio.to_thread(server.stop)

    assert [d.rcpt_tos for d in server.delivered] == [["dana@example.com"]]
    assert [(a, sent) for _, a, sent, _ in await rows(gateway)] == [(2, True)]


async def test_a_server_that_never_answers_times_out(gateways: GatewayFactory) -> None:
    """A server that accepts the connection and then says nothing must not hold the relay
    (and the lease on its batch) for longer than the timeout."""
    connections: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    mute = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = mute.sockets[0].getsockname()[1]
    try:
        gateway = gateways(f"smtp://127.0.0.1:{port}?timeout=0.3")
        await queue(gateway, LETTER)

        async with asyncio.timeout(5):
            assert await gateway.relay.drain() == 0
    finally:
        for writer in connections:
            writer.close()
        mute.close()
        await mute.wait_closed()

    [(_, _, sent, error)] = await rows(gateway)
    assert not sent
    assert error is not None
    assert f"SMTP server 127.0.0.1:{port} did not answer within 0.3 s" in error


async def test_credentials_are_never_sent_to_a_server_without_tls(
    gateways: GatewayFactory, server_with_auth: SmtpServer
) -> None:
    gateway = gateways(f"smtp://{credentials(USER, PASSWORD)}{server_with_auth.address}")
    await queue(gateway, LETTER)

    assert await gateway.relay.drain() == 0

    [(subject, attempts, sent, error)] = await rows(gateway)
    assert (subject, attempts, sent) == ("Hello", 1, False)
    assert error is not None
    assert "STARTTLS extension not supported by server" in error
    assert server_with_auth.delivered == []
