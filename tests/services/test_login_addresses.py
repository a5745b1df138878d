"""Sign-in under the IP rules, through the use cases: trusted first use, a new address
confirmed with a mailed code bound to it, refusals for blocked and removed addresses, and
one code when MFA and a new address meet. Run on the fakes and on the real SQL store, like
test_login_rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.errors import ErrorCode
from domain.logins import LoginChallengeReason
from domain.users import Role, User
from gateway.services import codes
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.addresses import AddressRules
from gateway.services.authz import Principal
from gateway.services.challenges import LoginChallenged
from gateway.services.ports import Database
from gateway.services.ration import MailRation
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher, rejected

PASSWORD = "Corr3ct-Horse!"
HOME = "192.0.2.10"
AWAY = "198.51.100.7"
ELSEWHERE = "203.0.113.99"


@pytest.fixture
def mailed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every one-time code made, in order."""
    made: list[str] = []
    original = codes.new_code

    def recording() -> str:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(codes, "new_code", recording)
    return made


@dataclass
class Desk:
    db: Database
    accounts: Accounts
    rules: AddressRules
    clock: MutableClock
    codes: list[str]
    admin: Principal
    alice: User

    async def login(self, client: str | None) -> str:
        session = await self.accounts.login("alice@example.com", PASSWORD, client=client)
        assert session.user.email is not None
        return session.user.email

    async def challenge(self, client: str | None) -> LoginChallenged:
        error = await rejected(self.accounts.login("alice@example.com", PASSWORD, client=client))
        assert isinstance(error, LoginChallenged)
        return error

    async def refusal(self, client: str | None) -> tuple[ErrorCode, str]:
        error = await rejected(self.accounts.login("alice@example.com", PASSWORD, client=client))
        return (error.code, error.message)

    async def mail_bodies(self) -> list[tuple[str, str]]:
        async with self.db.writing() as uow:
            claimed = await uow.outbox.claim(50, now=self.clock.now(), lease=timedelta(days=1))
            await uow.commit()
        return [(c.mail.subject, c.mail.body) for c in claimed]


@pytest.fixture
async def desk(db: Database, clock: MutableClock, mailed: list[str]) -> Desk:
    publisher = RecordingPublisher()
    accounts = Accounts(db, clock, FakeHasher(), FakeTokens(), publisher, AccountPolicy())
    admin = await accounts.provision(
        email="admin@example.com", name="Admin", password=PASSWORD, role=Role.ADMIN
    )
    alice = await accounts.provision(
        email="alice@example.com", name="Alice", password=PASSWORD, role=Role.BASIC
    )
    rules = AddressRules(db, clock, publisher, MailRation())
    return Desk(db, accounts, rules, clock, mailed, Principal(actor=admin.as_actor()), alice)


async def test_the_first_address_is_trusted_and_a_new_one_needs_the_mailed_code(
    desk: Desk,
) -> None:
    assert await desk.login(HOME) == "alice@example.com"
    assert await desk.login(HOME) == "alice@example.com"
    await desk.mail_bodies()

    challenged = await desk.challenge(AWAY)
    assert challenged.reason is LoginChallengeReason.NEW_ADDRESS
    assert challenged.code is ErrorCode.CODE_REQUIRED
    [(subject, body)] = await desk.mail_bodies()
    assert subject == "Confirm your new sign-in address"
    assert AWAY in body
    assert desk.codes[-1] in body

    session = await desk.accounts.complete_login("alice@example.com", desk.codes[-1], client=AWAY)
    assert session.user.email == "alice@example.com"
    # Confirmed now: no code the next time, from either address.
    assert await desk.login(AWAY) == "alice@example.com"
    assert await desk.login(HOME) == "alice@example.com"


async def test_a_code_for_a_new_address_does_not_confirm_another(desk: Desk) -> None:
    await desk.login(HOME)
    await desk.challenge(AWAY)

    error = await rejected(
        desk.accounts.complete_login("alice@example.com", desk.codes[-1], client=ELSEWHERE)
    )
    assert (error.code, error.field) == (ErrorCode.INVALID_CODE, "code")
    assert (await desk.challenge(ELSEWHERE)).reason is LoginChallengeReason.NEW_ADDRESS
    # The code still works from the address it was mailed for (the wrong try counted).
    desk.clock.advance(timedelta(minutes=2))
    await desk.challenge(AWAY)
    await desk.accounts.complete_login("alice@example.com", desk.codes[-1], client=AWAY)
    assert await desk.login(AWAY) == "alice@example.com"


async def test_an_account_that_blocks_anonymous_addresses_signs_in_from_its_list_only(
    desk: Desk,
) -> None:
    await desk.rules.set_block_anonymous(desk.admin, [desk.alice.id], True)
    assert await desk.refusal(HOME) == (
        ErrorCode.FORBIDDEN,
        f"this account may only sign in from its allowed addresses, and {HOME} is not one",
    )
    await desk.rules.allow_address(desk.admin, HOME, [desk.alice.id])
    assert await desk.login(HOME) == "alice@example.com"
    code, _ = await desk.refusal(AWAY)
    assert code is ErrorCode.FORBIDDEN
    code, _ = await desk.refusal(None)
    assert code is ErrorCode.FORBIDDEN


async def test_a_removed_address_is_refused_until_allowed_again(desk: Desk) -> None:
    assert await desk.login(HOME) == "alice@example.com"
    await desk.rules.remove_allowed_address(desk.admin, HOME, [desk.alice.id])
    code, message = await desk.refusal(HOME)
    assert code is ErrorCode.FORBIDDEN
    assert HOME in message
    await desk.rules.allow_address(desk.admin, HOME, [desk.alice.id])
    assert await desk.login(HOME) == "alice@example.com"


async def test_with_mfa_on_a_new_address_takes_one_code(desk: Desk) -> None:
    await desk.login(HOME)
    await desk.accounts.update_security_settings(
        Principal(actor=desk.alice.as_actor()), mfa=True, current_password=PASSWORD, client=HOME
    )
    assert (await desk.challenge(HOME)).reason is LoginChallengeReason.MFA
    desk.clock.advance(timedelta(minutes=2))

    assert (await desk.challenge(AWAY)).reason is LoginChallengeReason.NEW_ADDRESS
    session = await desk.accounts.complete_login("alice@example.com", desk.codes[-1], client=AWAY)
    assert session.user.email == "alice@example.com"
    # Known now, but MFA still asks for a code.
    desk.clock.advance(timedelta(minutes=2))
    assert (await desk.challenge(AWAY)).reason is LoginChallengeReason.MFA
