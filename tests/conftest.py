"""Shared fixtures: a migrated SQLite file per test, the real app, a known world."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from gateway.app import Gateway, create_app
from gateway.auth.passwords import Argon2Hasher
from gateway.migrate import upgrade
from gateway.settings import Settings
from tests.support.clock import MutableClock
from tests.support.graphql import GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World, build_world

JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
# Real argon2id with the smallest cost it allows: the tests hash dozens of passwords.
FAST_ARGON2 = Argon2Hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("template") / "occupi.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path) -> str:
    path = tmp_path / "occupi.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, jwt_secret=JWT_SECRET)


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
