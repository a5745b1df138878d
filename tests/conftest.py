"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL under
`make test-pg`), the real app, a known world."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from gateway.app import Gateway, create_app
from gateway.auth.passwords import Argon2Hasher
from gateway.settings import Settings
from tests.support import databases
from tests.support.clock import MutableClock
from tests.support.graphql import GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World, build_world

JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
# Real argon2id with the smallest cost it allows: the tests hash dozens of passwords.
FAST_ARGON2 = Argon2Hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """Migrate once; every test gets its own copy (a file, or a PostgreSQL database)."""
    if databases.ON_POSTGRES:
        template = databases.postgres_template()
        yield template
        databases.postgres_drop(template)
    else:
        yield databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path | str) -> Iterator[str]:
    if isinstance(migrated_template, str):
        name, url = databases.postgres_copy(migrated_template)
        yield url
        databases.postgres_drop(name)
    else:
        yield databases.sqlite_copy(migrated_template, tmp_path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests about one database run only on it; everything else runs on both."""
    other = "sqlite_only" if databases.ON_POSTGRES else "postgres_only"
    skip = pytest.mark.skip(reason=f"not on {databases.backend_name()}")
    for item in items:
        if item.get_closest_marker(other):
            item.add_marker(skip)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Under `make test-pg` live events go through Redis, on channels of this test's own."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        broker_url=databases.BROKER_URL,
        broker_channel_prefix=f"occupi-test-{secrets.token_hex(6)}:",
        # The test clock stands still, so a bucket would never refill: write limits are
        # tested on their own (tests/schema/test_write_limits.py) and off elsewhere.
        rate_writes_per_minute=0,
        rate_address_writes_per_minute=0,
        rate_ingest_per_minute=0,
    )


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def mail() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
async def app(
    settings: Settings, clock: MutableClock, mail: RecordingSender
) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=clock, mail_sender=mail, hasher=FAST_ARGON2)
    yield application
    await application.state.gateway.pushes.stop()  # pushes still under way, before the db goes
    await application.state.gateway.broker.stop()
    await application.state.gateway.app.write_limits.close()
    await application.state.gateway.db.dispose()


@pytest.fixture
def gateway(app: Starlette) -> Gateway:
    found: Gateway = app.state.gateway
    return found


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture
async def world(gateway: Gateway) -> World:
    return await build_world(gateway)


@pytest.fixture
async def tokens(world: World) -> dict[str, str]:
    """A token per person in the world, by handle (admin, alice, bob, carol)."""
    accounts = world.gateway.app.accounts
    people = {"admin": world.admin, "alice": world.alice, "bob": world.bob, "carol": world.carol}
    return {
        handle: (await accounts.login(user.email, PASSWORD)).token.token
        for handle, user in people.items()
    }
