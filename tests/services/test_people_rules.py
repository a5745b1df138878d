"""Profiles, roles, e-mail changes, security settings and MFA sign-in through the use
cases, run twice: on the in-memory fakes and on the real SQL store over the migrated
database (SQLite, or PostgreSQL under `make test-pg`), like test_login_rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.logins import LoginChallengeReason
from domain.profiles import Profile
from domain.users import Role, User
from gateway.services import codes
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.authz import Principal
from gateway.services.challenges import LoginChallenged
from gateway.services.notifications import Notifications
from gateway.services.people import People
from gateway.services.ports import Database
from gateway.services.records import PageRequest
from gateway.services.views import SecuritySettings
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher, rejected

PASSWORD = "Corr3ct-Horse!"
HOME = "192.0.2.10"
BAD_CODE = (ErrorCode.INVALID_CODE, "the code is wrong or has expired; ask for a new one", "code")


def answer(error: DomainError) -> tuple[ErrorCode, str, str | None]:
    return (error.code, error.message, error.field)


@dataclass
class Office:
    accounts: Accounts
    people: People
    notifications: Notifications
    clock: MutableClock
    mailed: list[str]
    admin: User
    alice: User
    bob: User

    def as_(self, user: User) -> Principal:
        return Principal(actor=user.as_actor())

    async def enable_mfa(self, user: User) -> None:
        await self.accounts.update_security_settings(
            self.as_(user), mfa=True, current_password=PASSWORD, client=HOME
        )


@pytest.fixture
def mailed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every one-time code the code helpers make, in order."""
    made: list[str] = []
    original = codes.new_code

    def recording() -> str:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(codes, "new_code", recording)
    return made


@pytest.fixture
async def office(db: Database, clock: MutableClock, mailed: list[str]) -> Office:
    publisher = RecordingPublisher()
    policy = AccountPolicy()
    accounts = Accounts(db, clock, FakeHasher(), FakeTokens(), publisher, policy)
    people = People(db, clock, publisher, policy.codes())

    async def person(handle: str, role: Role = Role.BASIC) -> User:
        return await accounts.provision(
            email=f"{handle}@example.com", name=handle.title(), password=PASSWORD, role=role
        )

    return Office(
        accounts,
        people,
        Notifications(db, clock),
        clock,
        mailed,
        await person("admin", Role.ADMIN),
        await person("alice"),
        await person("bob"),
    )


# --- profiles -------------------------------------------------------------------------------


async def test_new_accounts_get_distinct_generated_employee_ids(office: Office) -> None:
    ids = set()
    for user in (office.admin, office.alice, office.bob):
        details = await office.people.details(office.as_(user), user.id)
        assert details is not None
        assert details.employee_id is not None
        assert re.fullmatch(r"OCCUPI2026\d{4}", details.employee_id)
        ids.add(details.employee_id)
    assert len(ids) == 3


async def test_a_person_updates_their_own_details_partially(office: Office) -> None:
    alice = office.as_(office.alice)
    before = await office.people.details(alice, office.alice.id)
    assert before is not None

    view = await office.people.update_profile(
        alice,
        user_id=None,
        name="  Alice   Smith ",
        changes={"date_of_birth": date(1990, 5, 17), "pronouns": "she/her"},
    )
    await office.people.update_profile(
        alice, user_id=None, name=None, changes={"pronouns": None, "gender": "female"}
    )

    assert view.name == "Alice Smith"
    assert await office.people.details(alice, office.alice.id) == Profile(
        date_of_birth=date(1990, 5, 17), gender="female", employee_id=before.employee_id
    )


async def test_basic_users_cannot_see_or_change_anothers_details(office: Office) -> None:
    bob = office.as_(office.bob)
    assert await office.people.details(bob, office.alice.id) is None
    assert await office.people.security_settings(bob, office.alice.id) is None

    error = await rejected(
        office.people.update_profile(bob, user_id=office.alice.id, name="Mallory", changes={})
    )
    assert answer(error) == (
        ErrorCode.FORBIDDEN,
        "only admins may change another person's profile",
        "user",
    )


@pytest.mark.parametrize(
    ("field", "api_name"),
    [("employee_id", "employeeId"), ("position", "position"), ("department", "department")],
)
async def test_admin_managed_fields_are_for_admins(
    office: Office, field: str, api_name: str
) -> None:
    value = "OCCUPI1" if field == "employee_id" else "Finance"
    error = await rejected(
        office.people.update_profile(
            office.as_(office.alice), user_id=None, name=None, changes={field: value}
        )
    )
    assert answer(error) == (ErrorCode.FORBIDDEN, f"only admins may set {api_name}", api_name)

    await office.people.update_profile(
        office.as_(office.admin), user_id=office.alice.id, name=None, changes={field: value}
    )
    found = await office.people.details(office.as_(office.alice), office.alice.id)
    assert found is not None
    assert getattr(found, field) == value


async def test_an_employee_id_belongs_to_one_person(office: Office) -> None:
    admin = office.as_(office.admin)
    theirs = await office.people.details(admin, office.bob.id)
    assert theirs is not None
    assert theirs.employee_id is not None

    error = await rejected(
        office.people.update_profile(
            admin, user_id=office.alice.id, name=None, changes={"employee_id": theirs.employee_id}
        )
    )
    assert answer(error) == (
        ErrorCode.EMPLOYEE_ID_TAKEN,
        f"{theirs.employee_id} is another person's employee id",
        "employeeId",
    )


async def test_creating_a_user_takes_details(office: Office) -> None:
    view = await office.accounts.create_user(
        office.as_(office.admin),
        email="dave@example.com",
        name="Dave",
        password=PASSWORD,
        role=Role.ADMIN,
        details={"department": "Facilities", "employee_id": "occupi42"},
    )

    found = await office.people.details(office.as_(office.admin), view.id)
    assert found == Profile(employee_id="OCCUPI42", department="Facilities")


# --- roles ----------------------------------------------------------------------------------


async def test_admins_set_roles_and_the_change_is_told(office: Office) -> None:
    admin = office.as_(office.admin)
    view = await office.people.set_role(admin, office.alice.id, Role.ADMIN)
    assert view.role is Role.ADMIN
    await office.people.set_role(admin, office.alice.id, Role.ADMIN)  # no change: not told

    async def told(user: User) -> list[tuple[str, str]]:
        page = await office.notifications.list(office.as_(user), PageRequest(first=10))
        return [(n.title, n.message) for n in page.items]

    assert await told(office.alice) == [
        ("Role status changed", "admin@example.com has changed your role to admin.")
    ]
    assert await told(office.admin) == [
        ("Role status changed", "You have successfully changed the role of the user to admin.")
    ]
    principal = office.as_(office.bob)
    error = await rejected(office.people.set_role(principal, office.bob.id, Role.ADMIN))
    assert error.code is ErrorCode.FORBIDDEN


async def test_the_last_admin_cannot_be_demoted(office: Office) -> None:
    admin = office.as_(office.admin)
    error = await rejected(office.people.set_role(admin, office.admin.id, Role.BASIC))
    assert answer(error) == (
        ErrorCode.LAST_ADMIN,
        "this is the only admin; make somebody else an admin first",
        "role",
    )
    await office.people.set_role(admin, office.alice.id, Role.ADMIN)
    assert (await office.people.set_role(admin, office.admin.id, Role.BASIC)).role is Role.BASIC


# --- e-mail change --------------------------------------------------------------------------


async def test_an_email_change_is_confirmed_by_the_code_sent_to_the_new_address(
    office: Office,
) -> None:
    alice = office.as_(office.alice)
    await office.people.request_email_change(alice, "Alice.New@Example.com")

    moved = await office.people.confirm_email_change(alice, office.mailed[-1])

    assert moved.email == "alice.new@example.com"
    again = await rejected(office.people.confirm_email_change(alice, office.mailed[-1]))
    assert answer(again) == BAD_CODE


async def test_an_address_taken_meanwhile_is_refused_at_confirmation(office: Office) -> None:
    alice, bob = office.as_(office.alice), office.as_(office.bob)
    await office.people.request_email_change(alice, "shared@example.com")
    alices_code = office.mailed[-1]
    office.clock.advance(timedelta(minutes=1))
    await office.people.request_email_change(bob, "shared@example.com")
    await office.people.confirm_email_change(bob, office.mailed[-1])

    error = await rejected(office.people.confirm_email_change(alice, alices_code))

    assert answer(error) == (
        ErrorCode.EMAIL_TAKEN,
        "shared@example.com already has an account",
        "newEmail",
    )
    mine = await rejected(office.people.request_email_change(bob, " Shared@example.com"))
    assert answer(mine) == (ErrorCode.INVALID_INPUT, "this is already your address", "newEmail")


async def test_email_change_codes_are_limited_to_five_tries(office: Office) -> None:
    alice = office.as_(office.alice)
    await office.people.request_email_change(alice, "alice2@example.com")
    code = office.mailed[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert answer(await rejected(office.people.confirm_email_change(alice, wrong))) == BAD_CODE
    assert answer(await rejected(office.people.confirm_email_change(alice, code))) == BAD_CODE


async def test_a_taken_address_is_refused_and_requests_cool_down(office: Office) -> None:
    alice = office.as_(office.alice)
    taken = await rejected(office.people.request_email_change(alice, "bob@example.com"))
    assert answer(taken) == (
        ErrorCode.EMAIL_TAKEN,
        "bob@example.com already has an account",
        "newEmail",
    )
    await office.people.request_email_change(alice, "alice2@example.com")
    again = await rejected(office.people.request_email_change(alice, "alice2@example.com"))
    assert answer(again) == (
        ErrorCode.RATE_LIMITED,
        "a code went to this address less than 60 seconds ago; ask again after that",
        "newEmail",
    )
    office.clock.advance(timedelta(minutes=1))
    await office.people.request_email_change(alice, "alice2@example.com")


# --- security settings and MFA sign-in ------------------------------------------------------


async def test_security_settings_need_the_current_password(office: Office) -> None:
    alice = office.as_(office.alice)
    error = await rejected(
        office.accounts.update_security_settings(
            alice, mfa=True, current_password="wrong", client=HOME
        )
    )
    assert answer(error) == (
        ErrorCode.INVALID_INPUT,
        "the current password is incorrect",
        "currentPassword",
    )
    assert await office.people.security_settings(alice, office.alice.id) == SecuritySettings(
        mfa=False
    )
    await office.enable_mfa(office.alice)
    assert await office.people.security_settings(alice, office.alice.id) == SecuritySettings(
        mfa=True
    )
    admin = office.as_(office.admin)
    assert await office.people.security_settings(admin, office.alice.id) == SecuritySettings(
        mfa=True
    )


async def test_with_mfa_a_sign_in_needs_the_mailed_code(office: Office) -> None:
    await office.enable_mfa(office.alice)

    with pytest.raises(LoginChallenged) as challenged:
        await office.accounts.login("alice@example.com", PASSWORD, client=HOME)
    assert challenged.value.reason is LoginChallengeReason.MFA
    assert challenged.value.sent
    assert challenged.value.code is ErrorCode.CODE_REQUIRED

    session = await office.accounts.complete_login(
        "Alice@Example.com", office.mailed[-1], client=HOME
    )
    assert session.user.email == "alice@example.com"
    reused = await rejected(
        office.accounts.complete_login("alice@example.com", office.mailed[-1], client=HOME)
    )
    assert answer(reused) == BAD_CODE


async def test_a_second_sign_in_within_the_cooldown_reuses_the_code(office: Office) -> None:
    await office.enable_mfa(office.alice)
    for sent in (True, False):
        with pytest.raises(LoginChallenged) as challenged:
            await office.accounts.login("alice@example.com", PASSWORD, client=HOME)
        assert challenged.value.sent is sent
    assert len(office.mailed) == 1


async def test_sign_in_codes_allow_five_tries_then_the_account_waits(office: Office) -> None:
    await office.enable_mfa(office.alice)
    with pytest.raises(LoginChallenged):
        await office.accounts.login("alice@example.com", PASSWORD, client=HOME)
    code = office.mailed[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        error = await rejected(office.accounts.complete_login("alice@example.com", wrong))
        assert answer(error) == BAD_CODE

    throttled = await rejected(office.accounts.complete_login("alice@example.com", code))
    assert answer(throttled) == (
        ErrorCode.RATE_LIMITED,
        "too many failed sign-ins; try again in 60 seconds",
        None,
    )
    office.clock.advance(timedelta(minutes=1))
    spent = await rejected(office.accounts.complete_login("alice@example.com", code))
    assert answer(spent) == BAD_CODE


async def test_other_codes_cannot_complete_a_sign_in(office: Office) -> None:
    await office.enable_mfa(office.alice)
    alice = office.as_(office.alice)
    await office.people.request_email_change(alice, "alice2@example.com")
    change_code = office.mailed[-1]
    await office.accounts.request_registration_code("alice@example.com")  # already registered
    await office.accounts.request_registration_code("newcomer@example.com")
    registration_code = office.mailed[-1]
    with pytest.raises(LoginChallenged):
        await office.accounts.login("alice@example.com", PASSWORD, client=HOME)

    for address, code in [
        ("alice2@example.com", change_code),
        ("alice@example.com", change_code),
        ("newcomer@example.com", registration_code),
    ]:
        error = await rejected(office.accounts.complete_login(address, code))
        assert answer(error) == BAD_CODE


async def test_without_mfa_a_sign_in_is_not_challenged(office: Office) -> None:
    session = await office.accounts.login("bob@example.com", PASSWORD, client=HOME)
    assert session.user.email == "bob@example.com"
    assert office.mailed == []


async def test_a_right_password_does_not_wipe_out_wrong_codes(office: Office) -> None:
    await office.enable_mfa(office.alice)
    with pytest.raises(LoginChallenged):
        await office.accounts.login("alice@example.com", PASSWORD, client=HOME)
    wrong = f"{(int(office.mailed[-1]) + 1) % 1_000_000:06d}"
    for _ in range(4):
        await rejected(office.accounts.complete_login("alice@example.com", wrong))
    office.clock.advance(timedelta(minutes=1))
    with pytest.raises(LoginChallenged):  # a fresh code, fresh tries for it
        await office.accounts.login("alice@example.com", PASSWORD, client=HOME)
    await rejected(office.accounts.complete_login("alice@example.com", wrong))

    refused = await rejected(office.accounts.complete_login("alice@example.com", office.mailed[-1]))
    assert refused.code is ErrorCode.RATE_LIMITED
