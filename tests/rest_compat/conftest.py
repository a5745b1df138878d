"""The shim through the real app: an HTTP client, and a credential per kind of caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.clock import MutableClock
from tests.support.tokens import LIFETIME, claims_for, sign, unsigned
from tests.support.world import World


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def credentials(world: World, tokens: dict[str, str], clock: MutableClock) -> dict[str, str]:
    """A token per kind of caller: valid (basic, admin) or rejected (the rest)."""
    issued_long_ago = clock.now() - LIFETIME - timedelta(hours=1)
    return {
        "basic": tokens["alice"],
        "admin": tokens["admin"],
        "expired": sign(claims_for(world.alice, issued_long_ago)),
        "forged": sign(claims_for(world.admin, clock.now()), secret="x" * 48),
        "unsigned": unsigned(claims_for(world.admin, clock.now())),
        "garbage": "not-a-jwt",
    }


def presented(token: str, form: str) -> dict[str, str]:
    """The headers that carry `token` the way a legacy client would."""
    if form == "cookie":
        return {"Cookie": f"token={token}"}
    if form == "raw":
        return {"Authorization": token}
    if form == "bearer":
        return {"Authorization": f"Bearer {token}"}
    raise ValueError(form)
