"""Accounts use cases against in-memory fakes: login, tokens, registration by code, admin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.users import Actor, Role, User
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.authz import ANONYMOUS, Principal
from gateway.services.events import MailQueued
from gateway.services.records import OneTimeCode, PageRequest, UserQuery
from gateway.services.views import PersonView
from tests.support.clock import MutableClock
from tests.support.fakes import (
    FakeDatabase,
    FakeHasher,
    FakeTokens,
    RecordingPublisher,
    rejected,
    signed_in,
)
from tests.support.mail import RecordingSender

PASSWORD = "Corr3ct-Horse!"
BAD_LOGIN = "the e-mail address or the password is incorrect"
BAD_CODE = "the code is wrong or has expired; ask for a new one"
CODE_SUBJECT = "Your Occupi verification code"
ALREADY_SUBJECT = "You already have an Occupi account"


@dataclass
class Env:
    db: FakeDatabase
    clock: MutableClock
    hasher: FakeHasher
    tokens: FakeTokens
    publisher: RecordingPublisher
    accounts: Accounts

    async def person(self, handle: str, role: Role = Role.BASIC) -> User:
        return await self.accounts.provision(
            email=f"{handle}@example.com", name=handle.title(), password=PASSWORD, role=role
        )

    def code_row(self, email: str) -> OneTimeCode:
        rows = [c for c in self.db.state.codes.values() if c.email == email]
        assert len(rows) == 1, rows
        return rows[0]

    def mailed_code(self, email: str) -> str:
        sender = RecordingSender()
        sender.sent.extend(self.db.state.mails)
        return sender.code_for(email)


@pytest.fixture
def env(clock: MutableClock) -> Env:
    db = FakeDatabase(clock)
    hasher, tokens, publisher = FakeHasher(), FakeTokens(), RecordingPublisher(db)
    return Env(db, clock, hasher, tokens, publisher, Accounts(db, clock, hasher, tokens, publisher))


# --- login -----------------------------------------------------------------------------


async def test_login_issues_a_token_for_the_stored_user(env: Env) -> None:
    alice = await env.person("alice")

    session = await env.accounts.login("  Alice@Example.COM ", PASSWORD)

    # The session is the person's own: they see their address and role.
    assert session.user == PersonView(alice.id, "Alice", "alice@example.com", Role.BASIC)
    assert session.token.expires_at == env.clock.now() + env.tokens.lifetime
    claims = env.tokens.decode(session.token.token, env.clock.now())
    assert (claims.user_id, claims.email, claims.role) == (alice.id, alice.email, Role.BASIC)
    assert env.hasher.verified == [(f"hashed:{PASSWORD}", PASSWORD)]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("nobody@example.com", PASSWORD, id="unknown-email"),
        pytest.param("alice@example.com", "Wr0ng-Horse!", id="wrong-password"),
        pytest.param("alice@", PASSWORD, id="malformed-email"),
        pytest.param("", PASSWORD, id="empty-email"),
    ],
)
async def test_every_bad_login_gets_the_same_error(env: Env, email: str, password: str) -> None:
    await env.person("alice")

    error = await rejected(env.accounts.login(email, password))

    assert (error.code, error.message, error.field) == (
        ErrorCode.INVALID_CREDENTIALS,
        BAD_LOGIN,
        None,
    )
    assert env.tokens.issued == {}


async def test_an_unknown_email_still_costs_a_password_verification(env: Env) -> None:
    alice = await env.person("alice")

    await rejected(env.accounts.login("nobody@example.com", PASSWORD))
    await rejected(env.accounts.login("ghost@example.com", "An0ther-one!"))

    # A decoy hash made by the hasher, checked against the given password each time.
    assert [password for _, password in env.hasher.verified] == [PASSWORD, "An0ther-one!"]
    decoys = {hashed for hashed, _ in env.hasher.verified}
    assert len(decoys) == 1
    [decoy] = decoys
    assert decoy.startswith("hashed:")
    assert decoy.removeprefix("hashed:") in env.hasher.hashed[1:]  # hashed after alice's
    # Not anybody's real hash: a stored password must never open the decoy.
    assert decoy != f"hashed:{PASSWORD}"
    assert decoy != env.db.state.password_hashes[alice.id]


# --- authenticate and me ------------------------------------------------------------------


def assert_rejected(principal: Principal, message: str) -> None:
    assert principal.actor is None
    assert principal.rejection is not None
    assert (principal.rejection.code, principal.rejection.message, principal.rejection.field) == (
        ErrorCode.UNAUTHENTICATED,
        message,
        None,
    )
    with pytest.raises(DomainError) as caught:
        principal.require()
    assert caught.value is principal.rejection


async def test_authenticate_reads_the_role_from_the_repository_not_the_token(env: Env) -> None:
    alice = await env.person("alice")
    # The token claims admin and another address; the repository says basic.
    forged = Actor(user_id=alice.id, email="boss@example.com", role=Role.ADMIN)
    token = env.tokens.issue(forged, env.clock.now()).token

    principal = await env.accounts.authenticate(token)

    assert principal.actor == Actor(alice.id, "alice@example.com", Role.BASIC)
    assert principal.rejection is None


async def test_authenticate_keeps_the_credential_and_its_expiry(env: Env) -> None:
    """A long-lived connection re-checks the caller with these."""
    alice = await env.person("alice")
    issued = env.tokens.issue(alice.as_actor(), env.clock.now())

    principal = await env.accounts.authenticate(issued.token)

    assert principal.credential == issued.token
    assert principal.expires_at == env.clock.now() + env.tokens.lifetime
    assert "token-" not in repr(principal)


async def test_a_rejected_principal_carries_no_credential(env: Env) -> None:
    principal = await env.accounts.authenticate("not-a-token")

    assert (principal.credential, principal.expires_at) == (None, None)


async def test_authenticate_sees_a_promotion_without_a_new_token(env: Env) -> None:
    admin = await env.person("admin", Role.ADMIN)
    token = env.tokens.issue(Actor(admin.id, admin.email, Role.BASIC), env.clock.now()).token

    principal = await env.accounts.authenticate(token)

    assert principal.actor is not None
    assert principal.actor.is_admin


async def test_authenticate_rejects_a_token_for_a_user_that_no_longer_exists(env: Env) -> None:
    token = env.tokens.issue(Actor(404, "gone@example.com", Role.ADMIN), env.clock.now()).token

    principal = await env.accounts.authenticate(token)

    assert_rejected(principal, "the account no longer exists")
    error = await rejected(env.accounts.me(principal))
    assert error is principal.rejection


async def test_authenticate_passes_on_the_codecs_rejection_of_a_forged_token(env: Env) -> None:
    await env.person("alice")

    principal = await env.accounts.authenticate("not-a-token")

    assert_rejected(principal, "the token's signature is invalid")


async def test_authenticate_rejects_an_expired_token_by_the_injected_clock(env: Env) -> None:
    alice = await env.person("alice")
    token = env.tokens.issue(alice.as_actor(), env.clock.now()).token
    env.clock.advance(env.tokens.lifetime - timedelta(microseconds=1))
    assert (await env.accounts.authenticate(token)).actor == alice.as_actor()
    env.clock.advance(timedelta(microseconds=1))

    principal = await env.accounts.authenticate(token)

    assert_rejected(principal, "the token has expired; sign in again")


async def test_me_returns_the_stored_user(env: Env) -> None:
    alice = await env.person("alice")

    assert await env.accounts.me(signed_in(alice)) == PersonView(
        alice.id, "Alice", "alice@example.com", Role.BASIC
    )
    assert (await rejected(env.accounts.me(ANONYMOUS))).code is ErrorCode.UNAUTHENTICATED


async def test_me_for_a_deleted_account_is_unauthenticated(env: Env) -> None:
    ghost = Principal(actor=Actor(404, "gone@example.com", Role.BASIC))

    error = await rejected(env.accounts.me(ghost))

    assert (error.code, error.message) == (
        ErrorCode.UNAUTHENTICATED,
        "the account no longer exists",
    )


# --- registration by e-mail code ---------------------------------------------------------


async def test_a_registration_code_is_mailed_through_the_outbox(env: Env) -> None:
    await env.accounts.request_registration_code("  New@Example.com ")

    [mail] = env.db.state.mails
    assert (mail.to, mail.bcc, mail.subject) == (("new@example.com",), (), CODE_SUBJECT)
    assert "It expires in 10 minutes." in mail.body
    code = env.mailed_code("new@example.com")
    stored = env.code_row("new@example.com")
    assert code not in stored.code_hash  # only a hash is kept
    assert stored.expires_at == env.clock.now() + timedelta(minutes=10)
    assert (stored.attempts, stored.consumed) == (0, False)
    assert env.publisher.events == [MailQueued(env.clock.now())]
    # Published after the commit: the mail was already in the committed state.
    assert env.publisher.seen[0].mails == [mail]


async def test_register_with_the_mailed_code_creates_a_basic_account(env: Env) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")

    session = await env.accounts.register("NEW@example.com", f" {code} ", PASSWORD, " New  Person ")

    user = session.user
    assert (user.email, user.name, user.role) == ("new@example.com", "New Person", Role.BASIC)
    assert env.db.state.users == {
        user.id: User(user.id, "new@example.com", "New Person", Role.BASIC)
    }
    assert env.db.state.password_hashes[user.id] == f"hashed:{PASSWORD}"
    assert env.code_row("new@example.com").consumed
    claims = env.tokens.decode(session.token.token, env.clock.now())
    assert (claims.user_id, claims.role) == (user.id, Role.BASIC)


async def test_a_code_works_once(env: Env) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")
    await env.accounts.register("new@example.com", code, PASSWORD, "New")

    error = await rejected(env.accounts.register("new@example.com", code, PASSWORD, "New"))

    assert (error.code, error.message, error.field) == (ErrorCode.INVALID_CODE, BAD_CODE, "code")
    assert len(env.db.state.users) == 1


async def test_a_wrong_code_is_counted_even_though_the_call_fails(env: Env) -> None:
    await env.accounts.request_registration_code("new@example.com")
    wrong = f"{(int(env.mailed_code('new@example.com')) + 1) % 1_000_000:06d}"

    error = await rejected(env.accounts.register("new@example.com", wrong, PASSWORD, "New"))

    assert (error.code, error.field) == (ErrorCode.INVALID_CODE, "code")
    assert env.code_row("new@example.com").attempts == 1
    assert env.db.state.users == {}


@pytest.mark.parametrize(("wrong_attempts", "accepted"), [(4, True), (5, False)])
async def test_the_code_locks_after_too_many_wrong_attempts(
    env: Env, wrong_attempts: int, accepted: bool
) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(wrong_attempts):
        await rejected(env.accounts.register("new@example.com", wrong, PASSWORD, "New"))

    register = env.accounts.register("new@example.com", code, PASSWORD, "New")
    if accepted:
        assert (await register).user.email == "new@example.com"
    else:
        error = await rejected(register)
        assert (error.code, error.field) == (ErrorCode.INVALID_CODE, "code")
        assert env.db.state.users == {}
    # A locked code is refused before it is compared: no further attempt is recorded.
    assert env.code_row("new@example.com").attempts == wrong_attempts


async def test_a_custom_policy_sets_the_attempts_and_the_lifetime(clock: MutableClock) -> None:
    db, publisher = FakeDatabase(clock), RecordingPublisher()
    policy = AccountPolicy(code_ttl=timedelta(minutes=3), max_code_attempts=1)
    accounts = Accounts(db, clock, FakeHasher(), FakeTokens(), publisher, policy)
    await accounts.request_registration_code("new@example.com")
    [mail] = db.state.mails
    assert "It expires in 3 minutes." in mail.body
    [stored] = db.state.codes.values()
    assert stored.expires_at == clock.now() + timedelta(minutes=3)

    await rejected(accounts.register("new@example.com", "000000x", PASSWORD, "New"))
    code = re.findall(r"\d{6}", mail.body)[0]
    error = await rejected(accounts.register("new@example.com", code, PASSWORD, "New"))

    assert error.code is ErrorCode.INVALID_CODE


@pytest.mark.parametrize(
    ("wait", "accepted"),
    [
        (timedelta(minutes=10) - timedelta(microseconds=1), True),
        (timedelta(minutes=10), False),
        (timedelta(hours=1), False),
    ],
)
async def test_a_code_expires_by_the_clock(env: Env, wait: timedelta, accepted: bool) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")
    env.clock.advance(wait)

    register = env.accounts.register("new@example.com", code, PASSWORD, "New")
    if accepted:
        assert (await register).user.email == "new@example.com"
    else:
        error = await rejected(register)
        assert (error.code, error.field) == (ErrorCode.INVALID_CODE, "code")
        assert env.code_row("new@example.com").attempts == 0


async def test_only_the_latest_code_counts(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = iter([111_111, 222_222])
    monkeypatch.setattr("gateway.services.accounts.secrets.randbelow", lambda _: next(codes))
    await env.accounts.request_registration_code("new@example.com")
    env.clock.advance(timedelta(minutes=1))
    await env.accounts.request_registration_code("new@example.com")

    error = await rejected(env.accounts.register("new@example.com", "111111", PASSWORD, "New"))
    session = await env.accounts.register("new@example.com", "222222", PASSWORD, "New")

    assert error.code is ErrorCode.INVALID_CODE
    assert session.user.email == "new@example.com"


async def test_a_code_belongs_to_its_address(env: Env) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")

    error = await rejected(env.accounts.register("other@example.com", code, PASSWORD, "Other"))

    assert (error.code, error.field) == (ErrorCode.INVALID_CODE, "code")
    assert env.db.state.users == {}


async def test_register_without_any_code_is_refused(env: Env) -> None:
    error = await rejected(env.accounts.register("new@example.com", "123456", PASSWORD, "New"))

    assert (error.code, error.message, error.field) == (ErrorCode.INVALID_CODE, BAD_CODE, "code")


async def test_an_existing_address_gets_a_warning_and_no_code(env: Env) -> None:
    await env.person("alice")

    await env.accounts.request_registration_code("ALICE@example.com")

    [mail] = env.db.state.mails
    assert (mail.to, mail.subject) == (("alice@example.com",), ALREADY_SUBJECT)
    assert re.search(r"\d{6}", mail.body) is None
    assert env.db.state.codes == {}
    assert env.publisher.events == [MailQueued(env.clock.now())]


@pytest.mark.parametrize(
    ("email", "password", "name", "field"),
    [
        ("not-an-email", PASSWORD, "New", "email"),
        ("new@example.com", "weak", "New", "password"),
        ("new@example.com", "nodigits-or-CAPS!", "New", "password"),
        ("new@example.com", PASSWORD, "   ", "name"),
    ],
)
async def test_register_checks_its_input_before_the_code(
    env: Env, email: str, password: str, name: str, field: str
) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")

    error = await rejected(env.accounts.register(email, code, password, name))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, field)
    stored = env.code_row("new@example.com")
    assert (stored.attempts, stored.consumed) == (0, False)


async def test_register_rolls_back_the_code_when_the_address_was_taken_meanwhile(
    env: Env,
) -> None:
    await env.accounts.request_registration_code("new@example.com")
    code = env.mailed_code("new@example.com")
    await env.person("new")  # an admin created the account in the meantime

    error = await rejected(env.accounts.register("new@example.com", code, PASSWORD, "New"))

    assert (error.code, error.field) == (ErrorCode.EMAIL_TAKEN, "email")
    stored = env.code_row("new@example.com")
    assert (stored.consumed, stored.attempts) == (False, 0)
    assert len(env.db.state.users) == 1


async def test_a_malformed_address_gets_no_code_and_no_event(env: Env) -> None:
    error = await rejected(env.accounts.request_registration_code("nope"))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "email")
    assert env.db.state.mails == []
    assert env.publisher.events == []


# --- user administration -----------------------------------------------------------------


async def test_an_admin_creates_a_user_with_any_role(env: Env) -> None:
    admin = await env.person("admin", Role.ADMIN)

    created = await env.accounts.create_user(
        signed_in(admin),
        email=" Boss@Example.com",
        name="The Boss",
        password=PASSWORD,
        role=Role.ADMIN,
    )

    assert (created.email, created.name, created.role) == (
        "boss@example.com",
        "The Boss",
        Role.ADMIN,
    )
    assert env.db.state.users[created.id] == User(
        created.id, "boss@example.com", "The Boss", Role.ADMIN
    )
    assert env.db.state.password_hashes[created.id] == f"hashed:{PASSWORD}"


@pytest.mark.parametrize(
    ("who", "code"),
    [("basic", ErrorCode.FORBIDDEN), ("anonymous", ErrorCode.UNAUTHENTICATED)],
)
async def test_only_an_admin_creates_users(env: Env, who: str, code: ErrorCode) -> None:
    alice = await env.person("alice")
    principal = signed_in(alice) if who == "basic" else ANONYMOUS
    hashed_before = list(env.hasher.hashed)

    error = await rejected(
        env.accounts.create_user(
            principal, email="x@example.com", name="X", password=PASSWORD, role=Role.BASIC
        )
    )

    assert (error.code, error.field) == (code, None)
    assert list(env.db.state.users) == [alice.id]
    assert env.hasher.hashed == hashed_before


@pytest.mark.parametrize(
    ("email", "name", "password", "field"),
    [
        ("not-an-email", "Ada", PASSWORD, "email"),
        ("a" * 250 + "@example.com", "Ada", PASSWORD, "email"),
        ("ada@example.com", "", PASSWORD, "name"),
        ("ada@example.com", "x" * 121, PASSWORD, "name"),
        ("ada@example.com", "Ada", "Sh0rt!", "password"),
        ("ada@example.com", "Ada", "alllowercase1!", "password"),
        ("ada@example.com", "Ada", "NoSymbols123", "password"),
    ],
)
async def test_provision_validates_its_input(
    env: Env, email: str, name: str, password: str, field: str
) -> None:
    error = await rejected(
        env.accounts.provision(email=email, name=name, password=password, role=Role.BASIC)
    )

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, field)
    assert env.db.state.users == {}
    assert env.db.commits == 0


async def test_provision_normalises_and_refuses_a_taken_address(env: Env) -> None:
    ada = await env.accounts.provision(
        email=" ADA@example.com ", name="  Ada   Lovelace ", password=PASSWORD, role=Role.BASIC
    )

    again = env.accounts.provision(
        email="ada@EXAMPLE.com", name="Ada", password=PASSWORD, role=Role.ADMIN
    )
    error = await rejected(again)

    assert (ada.email, ada.name) == ("ada@example.com", "Ada Lovelace")
    assert (error.code, error.field) == (ErrorCode.EMAIL_TAKEN, "email")
    assert env.db.state.users == {ada.id: ada}


async def test_listing_users_is_for_admins(env: Env) -> None:
    admin = await env.person("admin", Role.ADMIN)
    alice = await env.person("alice")
    await env.person("bob")

    page = await env.accounts.list_users(
        signed_in(admin), UserQuery(role=Role.BASIC), PageRequest(first=1)
    )
    error = await rejected(env.accounts.list_users(signed_in(alice), UserQuery(), PageRequest()))

    # Admins see every listed person in full.
    expected = PersonView(alice.id, "Alice", "alice@example.com", Role.BASIC)
    assert (list(page.items), page.total, page.has_next) == ([expected], 2, True)
    assert error.code is ErrorCode.FORBIDDEN


async def test_codes_for_one_address_are_rationed(env: Env) -> None:
    await env.accounts.request_registration_code("new@example.com")
    env.clock.advance(timedelta(seconds=59))
    too_soon = await rejected(env.accounts.request_registration_code("new@example.com"))
    assert (too_soon.code, too_soon.field) == (ErrorCode.RATE_LIMITED, "email")
    assert too_soon.message == (
        "a mail went to this address less than 60 seconds ago; ask again after that"
    )
    assert len(env.db.state.codes) == 1
    assert len(env.db.state.mails) == 1

    env.clock.advance(timedelta(seconds=1))
    await env.accounts.request_registration_code("new@example.com")
    assert len(env.db.state.codes) == 2
    assert len(env.db.state.mails) == 2


async def test_the_cooldown_counts_from_when_the_code_was_sent(clock: MutableClock) -> None:
    """Not from its expiry: the code lifetime may be reconfigured between two requests."""
    db = FakeDatabase(clock)

    def accounts(ttl: timedelta) -> Accounts:
        policy = AccountPolicy(code_ttl=ttl)
        return Accounts(db, clock, FakeHasher(), FakeTokens(), RecordingPublisher(), policy)

    await accounts(timedelta(minutes=30)).request_registration_code("new@example.com")
    clock.advance(timedelta(minutes=2))
    await accounts(timedelta(minutes=10)).request_registration_code("new@example.com")

    assert len(db.state.codes) == 2
