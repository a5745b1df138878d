"""A real local SMTP server per test, a self-signed certificate per session, and the app
built from settings that point at that server: no test double for mail here."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from starlette.applications import Starlette

from gateway.app import Gateway, build_gateway, create_app
from gateway.settings import Settings
from tests.conftest import FAST_ARGON2
from tests.mail.servers import OPENSSL, Certificate, SmtpServer, self_signed
from tests.support.clock import MutableClock

MAIL_FROM = "Occupi Rooms <rooms@occupi.example>"
# Builds a gateway on the test's database whose relay sends to the given SMTP URL.
GatewayFactory = Callable[[str], Gateway]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    if OPENSSL is None:
        pytest.skip("no openssl on PATH to make a self-signed certificate for the TLS tests")
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    """The shared test settings, with mail over SMTP to this test's server."""
    return dataclasses.replace(
        settings, smtp_url=f"smtp://{smtp_server.address}", mail_from=MAIL_FROM
    )


@pytest.fixture
async def app(settings: Settings, clock: MutableClock) -> AsyncIterator[Starlette]:
    """The real app with no mail_sender given: it picks SMTP from the settings."""
    application = create_app(settings, clock=clock, hasher=FAST_ARGON2)
    yield application
    await application.state.gateway.broker.stop()
    await application.state.gateway.db.dispose()


@pytest.fixture
async def gateways(settings: Settings, clock: MutableClock) -> AsyncIterator[GatewayFactory]:
    """More gateways on the test's database, each sending to its own SMTP URL as
    build_gateway picks the sender from the settings; disposed of when the test ends."""
    built: list[Gateway] = []

    def build(smtp_url: str) -> Gateway:
        chosen = dataclasses.replace(settings, smtp_url=smtp_url)
        gateway = build_gateway(chosen, clock=clock, hasher=FAST_ARGON2)
        built.append(gateway)
        return gateway

    yield build
    for gateway in built:
        await gateway.broker.stop()
        await gateway.db.dispose()
