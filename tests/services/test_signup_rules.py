"""The legacy auth flows through the use cases, on the fakes and on the real SQL store:
registration with the password first (only its hash kept) and the mailed code second,
password reset by a RESET code, and the admin routes' check of the stored role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.errors import ErrorCode
from domain.users import Role
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.password_resets import PasswordResets
from gateway.services.ports import Database
from gateway.services.sign_ins import NotAnAdmin, SignIns
from gateway.services.signups import ClientRation, Signups
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher, rejected

PASSWORD = "Corr3ct-Horse!"
OTHER = "0ther-Passw0rd!"
CODE = "123456"
WRONG = "654321"


@dataclass
class Env:
    db: Database
    clock: MutableClock
    hasher: FakeHasher
    accounts: Accounts
    signups: Signups
    resets: PasswordResets
    sign_ins: SignIns


@pytest.fixture
async def env(db: Database, clock: MutableClock, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setattr("gateway.services.codes.secrets.randbelow", lambda _: int(CODE))
    hasher, publisher, policy = FakeHasher(), RecordingPublisher(), AccountPolicy()
    accounts = Accounts(db, clock, hasher, FakeTokens(), publisher, policy)
    await accounts.provision(
        email="alice@example.com", name="Alice", password=PASSWORD, role=Role.BASIC
    )
    await accounts.provision(
        email="admin@example.com", name="Admin", password=PASSWORD, role=Role.ADMIN
    )
    return Env(
        db,
        clock,
        hasher,
        accounts,
        Signups(db, clock, hasher, accounts, policy.codes()),
        PasswordResets(db, clock, hasher, publisher, accounts, policy.codes()),
        SignIns(accounts),
    )


# --- registration -------------------------------------------------------------------------


async def test_the_password_given_at_registration_signs_in_after_the_code(env: Env) -> None:
    await env.signups.start("New@Example.com", PASSWORD, push_token="ExponentPushToken[abc]")
    async with env.db.reading() as uow:
        waiting = await uow.pending_registrations.get("new@example.com")
    assert waiting is not None
    assert waiting.password_hash == f"hashed:{PASSWORD}"  # the hasher's output, never the text
    assert not await env.signups.is_registered("new@example.com")

    await env.signups.complete("new@example.com", CODE)

    assert await env.signups.is_registered("new@example.com")
    session = await env.accounts.login("new@example.com", PASSWORD)
    assert (session.user.email, session.user.role) == ("new@example.com", Role.BASIC)
    async with env.db.reading() as uow:
        assert await uow.pending_registrations.get("new@example.com") is None


async def test_a_wrong_code_creates_nothing_and_the_code_works_once(env: Env) -> None:
    await env.signups.start("new@example.com", PASSWORD)
    error = await rejected(env.signups.complete("new@example.com", WRONG))
    assert (error.code, error.field) == (ErrorCode.INVALID_CODE, "code")
    assert not await env.signups.is_registered("new@example.com")
    await env.signups.complete("new@example.com", CODE)
    again = await rejected(env.signups.complete("new@example.com", CODE))
    assert again.code is ErrorCode.INVALID_CODE


async def test_a_waiting_registration_cannot_be_replaced_until_it_expires(env: Env) -> None:
    await env.signups.start("new@example.com", PASSWORD)
    env.clock.advance(timedelta(minutes=2))
    error = await rejected(env.signups.start("new@example.com", OTHER))
    assert (error.code, error.field) == (ErrorCode.RATE_LIMITED, "email")
    env.clock.advance(timedelta(minutes=9))
    expired = await rejected(env.signups.complete("new@example.com", CODE))
    assert expired.code is ErrorCode.INVALID_CODE

    await env.signups.start("new@example.com", OTHER)
    await env.signups.complete("new@example.com", CODE)
    assert (await env.accounts.login("new@example.com", OTHER)).user.email == "new@example.com"


async def test_registering_a_taken_address_changes_nothing(env: Env) -> None:
    await env.signups.start("alice@example.com", OTHER)
    async with env.db.reading() as uow:
        assert await uow.pending_registrations.get("alice@example.com") is None
    assert (await env.accounts.login("alice@example.com", PASSWORD)).user.name == "Alice"


async def test_a_weak_password_is_refused_before_anything_is_kept(env: Env) -> None:
    error = await rejected(env.signups.start("new@example.com", "weak"))
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "password")
    async with env.db.reading() as uow:
        assert await uow.pending_registrations.get("new@example.com") is None


async def test_resend_extends_a_waiting_registration_and_is_limited_per_client(
    env: Env,
) -> None:
    await env.signups.start("new@example.com", PASSWORD)
    env.clock.advance(timedelta(minutes=9))
    await env.signups.resend("new@example.com", client="192.0.2.1")
    limited = await rejected(env.signups.resend("other@example.com", client="192.0.2.1"))
    assert limited.code is ErrorCode.RATE_LIMITED
    await env.signups.resend("nobody@example.com", client="192.0.2.2")  # same answer
    env.clock.advance(timedelta(minutes=5))  # past the first code's lifetime
    await env.signups.complete("new@example.com", CODE)
    assert await env.signups.is_registered("new@example.com")


def test_the_client_ration_forgets_after_its_interval(clock: MutableClock) -> None:
    ration = ClientRation(clock, timedelta(seconds=60))
    ration.take("a")
    ration.take("b")
    with pytest.raises(Exception, match="too many requests"):
        ration.take("a")
    clock.advance(timedelta(seconds=60))
    ration.take("a")


# --- password reset -----------------------------------------------------------------------


async def test_a_reset_code_sets_the_new_password_and_revokes_old_tokens(env: Env) -> None:
    old = await env.accounts.login("alice@example.com", PASSWORD)
    env.clock.advance(timedelta(seconds=5))
    await env.resets.request("alice@example.com")
    await env.resets.reset("alice@example.com", CODE, OTHER, OTHER)

    assert (await env.accounts.authenticate(old.token.token)).rejection is not None
    bad = await rejected(env.accounts.login("alice@example.com", PASSWORD))
    assert bad.code is ErrorCode.INVALID_CREDENTIALS
    assert (await env.accounts.login("alice@example.com", OTHER)).user.name == "Alice"
    reused = await rejected(env.resets.reset("alice@example.com", CODE, PASSWORD, PASSWORD))
    assert reused.code is ErrorCode.INVALID_CODE


async def test_reset_checks_confirmation_policy_and_code(env: Env) -> None:
    await env.resets.request("alice@example.com")
    mismatch = await rejected(env.resets.reset("alice@example.com", CODE, OTHER, PASSWORD))
    assert (mismatch.code, mismatch.field) == (ErrorCode.INVALID_INPUT, "newPasswordConfirm")
    weak = await rejected(env.resets.reset("alice@example.com", CODE, "short", "short"))
    assert (weak.code, weak.field) == (ErrorCode.INVALID_INPUT, "newPassword")
    wrong = await rejected(env.resets.reset("alice@example.com", WRONG, OTHER, OTHER))
    assert wrong.code is ErrorCode.INVALID_CODE
    assert (await env.accounts.login("alice@example.com", PASSWORD)).user.name == "Alice"


async def test_other_codes_do_not_reset_and_unknown_addresses_get_none(env: Env) -> None:
    await env.resets.request("nobody@example.com")  # no error: the same answer
    await env.accounts.request_registration_code("new@example.com")
    error = await rejected(env.resets.reset("new@example.com", CODE, OTHER, OTHER))
    assert error.code is ErrorCode.INVALID_CODE
    error = await rejected(env.resets.reset("alice@example.com", CODE, OTHER, OTHER))
    assert error.code is ErrorCode.INVALID_CODE  # no reset code was asked for


async def test_an_admin_reset_route_changes_nothing_for_a_basic_account(env: Env) -> None:
    await env.resets.request("alice@example.com")
    refused = await rejected(
        env.resets.reset("alice@example.com", CODE, OTHER, OTHER, admin_only=True)
    )
    assert isinstance(refused, NotAnAdmin)
    assert (await env.accounts.login("alice@example.com", PASSWORD)).user.name == "Alice"
    await env.resets.reset("alice@example.com", CODE, OTHER, OTHER)  # the code still works


# --- admin routes -------------------------------------------------------------------------


async def test_admin_sign_in_checks_the_stored_role(env: Env) -> None:
    refused = await rejected(
        env.sign_ins.login("alice@example.com", PASSWORD, client=None, admin=True)
    )
    assert isinstance(refused, NotAnAdmin)
    session = await env.sign_ins.login("admin@example.com", PASSWORD, client=None, admin=True)
    assert session.user.role is Role.ADMIN
    basic = await env.sign_ins.login("alice@example.com", PASSWORD, client=None, admin=False)
    assert basic.user.role is Role.BASIC
