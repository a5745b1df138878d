"""Sign-in throttling and token revocation through the use cases, run twice: on the
in-memory fakes and on the real SQL store over the migrated database (SQLite, or
PostgreSQL under `make test-pg`), like test_booking_rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.logins import LoginChallengeReason
from domain.users import Role, User
from gateway.services.accounts import AccountPolicy, Accounts, Session
from gateway.services.authz import Principal
from gateway.services.challenges import LoginChallenged
from gateway.services.ports import Database
from gateway.services.records import ThrottleScope
from gateway.services.throttle import LoginPolicy
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher, rejected

PASSWORD = "Corr3ct-Horse!"
NEW_PASSWORD = "N3w-Passw0rd!"
WRONG = "wrong-guess"
BAD_LOGIN = "the e-mail address or the password is incorrect"
REVOKED = "the token was revoked; sign in again"
HOME = "192.0.2.10"
AWAY = "198.51.100.7"


def throttled(seconds: int) -> tuple[ErrorCode, str, str | None]:
    return (
        ErrorCode.RATE_LIMITED,
        f"too many failed sign-ins; try again in {seconds} seconds",
        None,
    )


def answer(error: DomainError) -> tuple[ErrorCode, str, str | None]:
    return (error.code, error.message, error.field)


BAD = (ErrorCode.INVALID_CREDENTIALS, BAD_LOGIN, None)


@dataclass
class Logins:
    accounts: Accounts
    hasher: FakeHasher
    clock: MutableClock
    people: dict[str, User]

    async def login(
        self, handle: str, password: str = PASSWORD, client: str | None = HOME
    ) -> Session:
        return await self.accounts.login(f"{handle}@example.com", password, client=client)

    async def refusal(
        self, handle: str, password: str = WRONG, client: str | None = HOME
    ) -> tuple[ErrorCode, str, str | None]:
        return answer(await rejected(self.login(handle, password, client)))

    async def fail(self, handle: str, times: int, client: str | None = HOME) -> None:
        for _ in range(times):
            assert await self.refusal(handle, client=client) == BAD

    async def principal(self, token: str) -> Principal:
        return await self.accounts.authenticate(token)

    async def revoked(self, token: str) -> bool:
        rejection = (await self.principal(token)).rejection
        return rejection is not None and answer(rejection) == (
            ErrorCode.UNAUTHENTICATED,
            REVOKED,
            None,
        )


async def make_logins(db: Database, clock: MutableClock, policy: LoginPolicy) -> Logins:
    hasher = FakeHasher()
    accounts = Accounts(
        db, clock, hasher, FakeTokens(), RecordingPublisher(), AccountPolicy(login=policy)
    )
    people = {}
    for handle in ("alice", "bob", "carol", "dave", "erin", "frank"):
        people[handle] = await accounts.provision(
            email=f"{handle}@example.com", name=handle.title(), password=PASSWORD, role=Role.BASIC
        )
    return Logins(accounts, hasher, clock, people)


@pytest.fixture
async def logins(db: Database, clock: MutableClock) -> Logins:
    return await make_logins(db, clock, LoginPolicy())


# --- the policy ---------------------------------------------------------------------------


def test_the_wait_starts_at_the_limit_doubles_and_is_capped() -> None:
    policy = LoginPolicy()
    account = [policy.wait(ThrottleScope.ACCOUNT, n).total_seconds() for n in range(4, 11)]
    assert account == [0, 60, 120, 240, 480, 900, 900]
    client = [policy.wait(ThrottleScope.CLIENT, n).total_seconds() for n in (19, 20, 21, 100)]
    assert client == [0, 60, 120, 900]


# --- per account --------------------------------------------------------------------------


async def test_after_five_failures_even_the_right_password_waits(logins: Logins) -> None:
    await logins.fail("alice", 5)
    verified = len(logins.hasher.verified)

    assert await logins.refusal("alice", PASSWORD) == throttled(60)
    assert len(logins.hasher.verified) == verified  # refused before the password is checked
    logins.clock.advance(timedelta(seconds=59))
    assert await logins.refusal("alice", PASSWORD) == throttled(1)
    logins.clock.advance(timedelta(seconds=1))
    session = await logins.login("alice")
    assert session.user.email == "alice@example.com"


async def test_the_wait_doubles_with_each_further_failure(logins: Logins) -> None:
    await logins.fail("alice", 5)
    for seconds in (60, 120, 240, 480):
        assert await logins.refusal("alice") == throttled(seconds)
        logins.clock.advance(timedelta(seconds=seconds))
        assert await logins.refusal("alice") == BAD
    # Fifteen minutes on, the first five failures have left the window: the owner is
    # never locked out for long.
    assert (await logins.login("alice")).user.email == "alice@example.com"


async def test_the_wait_is_capped_however_long_failures_are_remembered(
    db: Database, clock: MutableClock
) -> None:
    logins = await make_logins(db, clock, LoginPolicy(window=timedelta(hours=3)))
    await logins.fail("alice", 5)
    for seconds in (60, 120, 240, 480, 900, 900):
        assert await logins.refusal("alice") == throttled(seconds)
        logins.clock.advance(timedelta(seconds=seconds))
        assert await logins.refusal("alice") == BAD
    assert await logins.refusal("alice", PASSWORD) == throttled(900)


async def test_a_success_clears_the_accounts_failures(logins: Logins) -> None:
    await logins.fail("alice", 4)
    await logins.login("alice")

    await logins.fail("alice", 4)
    await logins.login("alice")


async def test_failures_older_than_the_window_no_longer_count(logins: Logins) -> None:
    await logins.fail("alice", 4)
    logins.clock.advance(timedelta(minutes=15))

    await logins.fail("alice", 4)
    await logins.login("alice")


async def test_other_accounts_are_not_throttled_by_one_accounts_failures(logins: Logins) -> None:
    await logins.fail("alice", 5)

    assert (await logins.login("bob")).user.email == "bob@example.com"


async def test_the_account_is_throttled_from_any_client(logins: Logins) -> None:
    await logins.fail("alice", 5, client=HOME)

    assert await logins.refusal("alice", PASSWORD, client=AWAY) == throttled(60)
    assert await logins.refusal("alice", PASSWORD, client=None) == throttled(60)


async def test_an_unknown_address_is_throttled_with_the_same_answer(logins: Logins) -> None:
    await logins.fail("alice", 5, client=HOME)
    await logins.fail("nobody", 5, client=AWAY)

    assert await logins.refusal("nobody", client=AWAY) == await logins.refusal("alice")


async def test_the_typed_address_is_normalised_before_it_is_counted(logins: Logins) -> None:
    for spelling in ("Alice@Example.com", " alice@example.com ", "ALICE@EXAMPLE.COM"):
        assert answer(await rejected(logins.accounts.login(spelling, WRONG))) == BAD
    await logins.fail("alice", 2)

    assert await logins.refusal("alice", PASSWORD) == throttled(60)


# --- per client address -------------------------------------------------------------------


async def test_twenty_failures_from_one_client_throttle_it_across_accounts(
    logins: Logins,
) -> None:
    for handle in ("alice", "bob", "carol", "dave", "nobody"):
        await logins.fail(handle, 4, client=HOME)

    assert await logins.refusal("erin", PASSWORD, client=HOME) == throttled(60)
    assert (await logins.login("erin", client=AWAY)).user.email == "erin@example.com"
    logins.clock.advance(timedelta(seconds=60))
    # No longer throttled; HOME is new to erin's account now, so it is to be confirmed.
    error = await rejected(logins.login("erin", client=HOME))
    assert isinstance(error, LoginChallenged)
    assert error.reason is LoginChallengeReason.NEW_ADDRESS


async def test_successful_sign_ins_do_not_count_against_a_shared_client(logins: Logins) -> None:
    for _ in range(5):
        for handle in ("alice", "bob", "carol", "dave", "erin"):
            await logins.login(handle, client=HOME)
    await logins.fail("frank", 4, client=HOME)

    assert (await logins.login("frank", client=HOME)).user.email == "frank@example.com"


async def test_malformed_addresses_count_against_the_client(logins: Logins) -> None:
    for _ in range(20):
        error = await rejected(logins.accounts.login("not an address", WRONG, client=HOME))
        assert answer(error) == BAD

    assert await logins.refusal("alice", PASSWORD, client=HOME) == throttled(60)


# --- token revocation ---------------------------------------------------------------------


async def test_logging_out_everywhere_revokes_every_token_of_the_caller(logins: Logins) -> None:
    first = (await logins.login("alice")).token.token
    logins.clock.advance(timedelta(minutes=5, microseconds=250_000))
    second = (await logins.login("alice")).token.token  # issued in the revocation's second
    bobs = (await logins.login("bob")).token.token
    caller = await logins.principal(second)

    await logins.accounts.logout_everywhere(caller)

    for token in (first, second):
        assert await logins.revoked(token)
    assert (await logins.principal(bobs)).actor == logins.people["bob"].as_actor()
    fresh = (await logins.login("alice")).token.token  # in the same second, after it
    assert (await logins.principal(fresh)).actor == logins.people["alice"].as_actor()
    logins.clock.advance(timedelta(seconds=2))
    later = (await logins.login("alice")).token.token
    assert (await logins.principal(later)).actor == logins.people["alice"].as_actor()


async def test_changing_the_password_revokes_old_tokens_and_returns_a_fresh_one(
    logins: Logins,
) -> None:
    old = (await logins.login("alice")).token.token
    caller = await logins.principal(old)

    session = await logins.accounts.change_password(
        caller, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD
    )

    assert session.user.email == "alice@example.com"
    assert await logins.revoked(old)
    assert (await logins.principal(session.token.token)).actor == caller.actor
    assert await logins.refusal("alice", PASSWORD) == BAD
    assert (await logins.login("alice", NEW_PASSWORD)).user.email == "alice@example.com"


async def test_a_second_revocation_in_the_same_second_revokes_the_token_of_the_first(
    logins: Logins,
) -> None:
    old = (await logins.login("alice")).token.token
    session = await logins.accounts.change_password(
        await logins.principal(old), current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    fresh = session.token.token
    caller = await logins.principal(fresh)

    await logins.accounts.logout_everywhere(caller)  # the clock has not moved

    assert await logins.revoked(fresh)
    after = (await logins.login("alice", NEW_PASSWORD)).token.token
    assert (await logins.principal(after)).actor == logins.people["alice"].as_actor()


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message", "field"),
    [
        (
            WRONG,
            NEW_PASSWORD,
            NEW_PASSWORD,
            "the current password is incorrect",
            "currentPassword",
        ),
        (
            PASSWORD,
            "short",
            "short",
            "password must be 8 to 256 characters long",
            "newPassword",
        ),
        (
            PASSWORD,
            "alllowercase1!",
            "alllowercase1!",
            "password needs a lower-case letter, an upper-case letter, a digit and a symbol",
            "newPassword",
        ),
        (
            PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD + "x",
            "the confirmation does not match the new password",
            "newPasswordConfirm",
        ),
        (
            PASSWORD,
            PASSWORD,
            PASSWORD,
            "the new password must differ from the current one",
            "newPassword",
        ),
    ],
)
async def test_a_refused_password_change_says_why_and_changes_nothing(
    logins: Logins, current: str, new: str, confirm: str, message: str, field: str
) -> None:
    old = (await logins.login("alice")).token.token
    caller = await logins.principal(old)

    error = await rejected(
        logins.accounts.change_password(caller, current=current, new=new, confirm=confirm)
    )

    assert answer(error) == (ErrorCode.INVALID_INPUT, message, field)
    assert (await logins.principal(old)).actor == caller.actor
    assert (await logins.login("alice")).user.email == "alice@example.com"


async def test_wrong_current_passwords_are_throttled_like_failed_sign_ins(
    logins: Logins,
) -> None:
    caller = await logins.principal((await logins.login("alice")).token.token)
    for _ in range(5):
        await rejected(
            logins.accounts.change_password(
                caller, current=WRONG, new=NEW_PASSWORD, confirm=NEW_PASSWORD
            )
        )

    error = await rejected(
        logins.accounts.change_password(
            caller, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
    )
    assert answer(error) == throttled(60)


async def test_signed_out_callers_may_neither_log_out_everywhere_nor_change_passwords(
    logins: Logins,
) -> None:
    anonymous = Principal()

    assert (await rejected(logins.accounts.logout_everywhere(anonymous))).code is (
        ErrorCode.UNAUTHENTICATED
    )
    error = await rejected(
        logins.accounts.change_password(
            anonymous, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
    )
    assert error.code is ErrorCode.UNAUTHENTICATED
