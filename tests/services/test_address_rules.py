"""The IP-rule use cases and the sign-in gate, run twice: on the in-memory fakes and on
the real SQL store over the migrated database (SQLite, or PostgreSQL under
`make test-pg`), like test_login_rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.addresses import AllowedAddress, LoginAddresses, Outcome
from domain.errors import ErrorCode
from domain.users import Role, User
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.address_gate import login_gate, refusal, remember_confirmed
from gateway.services.addresses import MAX_USERS, AddressRules
from gateway.services.events import (
    AddressRuleChange,
    AddressRuleChanged,
    Event,
    MailQueued,
    NotificationEvent,
)
from gateway.services.ports import Database
from gateway.services.ration import MailRation
from gateway.services.records import MailKind
from tests.support.clock import START, MutableClock
from tests.support.fakes import (
    FakeHasher,
    FakeTokens,
    RecordingPublisher,
    rejected,
    signed_in,
)

PASSWORD = "Corr3ct-Horse!"
HOME = "192.0.2.10"
OFFICE = "203.0.113.5"


@dataclass
class Scene:
    db: Database
    rules: AddressRules
    published: RecordingPublisher
    clock: MutableClock
    admin: User
    alice: User
    bob: User

    @property
    def rule_events(self) -> list[Event]:
        """What was published, but the notifications (see `told`)."""
        return [e for e in self.published.events if not isinstance(e, NotificationEvent)]

    def told(self) -> list[tuple[int, str, str]]:
        """(recipient, title, message) of each notification published so far."""
        return [
            (e.notification.recipient_id, e.notification.title, e.notification.message)
            for e in self.published.events
            if isinstance(e, NotificationEvent)
        ]

    async def rules_of(self, user: User) -> LoginAddresses:
        async with self.db.reading() as uow:
            return await uow.addresses.rules(user.id)

    async def mails(self) -> list[tuple[tuple[str, ...], str, str, MailKind]]:
        """The mail queued since the last call."""
        async with self.db.writing() as uow:
            claimed = await uow.outbox.claim(50, now=self.clock.now(), lease=timedelta(days=1))
            await uow.commit()  # claimed mail is not claimed again: each call sees new mail
        return [(c.mail.to, c.mail.subject, c.mail.body, c.mail.kind) for c in claimed]


@pytest.fixture
async def scene(db: Database, clock: MutableClock) -> Scene:
    accounts = Accounts(
        db, clock, FakeHasher(), FakeTokens(), RecordingPublisher(), AccountPolicy()
    )

    async def person(handle: str, role: Role = Role.BASIC) -> User:
        return await accounts.provision(
            email=f"{handle}@example.com", name=handle.title(), password=PASSWORD, role=role
        )

    published = RecordingPublisher()
    rules = AddressRules(db, clock, published, MailRation())
    return Scene(
        db,
        rules,
        published,
        clock,
        await person("admin", Role.ADMIN),
        await person("alice"),
        await person("bob"),
    )


async def test_an_admin_allows_an_address_to_several_people(scene: Scene) -> None:
    change = await scene.rules.allow_address(
        signed_in(scene.admin), "::ffff:203.0.113.5", [scene.alice.id, scene.bob.id]
    )
    assert change.address == OFFICE
    assert [p.email for p in change.users] == ["alice@example.com", "bob@example.com"]
    assert (await scene.rules_of(scene.alice)).allowed == {OFFICE}
    listed = await scene.rules.allowed_addresses(signed_in(scene.alice), scene.alice.id)
    assert listed == [AllowedAddress(OFFICE, START, scene.admin.id)]
    assert scene.rule_events == [
        AddressRuleChanged(
            AddressRuleChange.ALLOWED,
            OFFICE,
            (scene.alice.id, scene.bob.id),
            scene.admin.as_actor(),
            START,
        ),
        MailQueued(START),
    ]
    added = "admin@example.com has added 203.0.113.5 to the list of allowed IP addresses"
    assert scene.told() == [
        (
            scene.alice.id,
            "IP address added",
            f"{added} for you. Check your email for more details.",
        ),
        (scene.bob.id, "IP address added", f"{added} for you. Check your email for more details."),
        (
            scene.admin.id,
            "IP address added",
            "You have successfully added 203.0.113.5 to the list of allowed IP addresses for "
            "alice@example.com,bob@example.com.",
        ),
    ]
    mails = await scene.mails()
    assert [(m[0], m[1], m[3]) for m in mails] == [
        (("alice@example.com",), "IP address added", MailKind.ADDRESS_ADDED),
        (("bob@example.com",), "IP address added", MailKind.ADDRESS_ADDED),
    ]
    assert "admin@example.com added 203.0.113.5" in mails[0][2]


async def test_allowing_again_changes_nothing_and_tells_nobody(scene: Scene) -> None:
    admin = signed_in(scene.admin)
    await scene.rules.allow_address(admin, OFFICE, [scene.alice.id])
    scene.published.events.clear()
    await scene.mails()
    await scene.rules.allow_address(admin, OFFICE, [scene.alice.id, scene.alice.id])
    assert scene.rule_events == []
    assert await scene.mails() == []
    assert len(await scene.rules.allowed_addresses(admin, scene.alice.id) or []) == 1


async def test_removing_an_address_forgets_and_blocks_it_until_allowed_again(
    scene: Scene,
) -> None:
    admin = signed_in(scene.admin)
    await scene.rules.allow_address(admin, OFFICE, [scene.alice.id])
    async with scene.db.writing() as uow:
        await remember_confirmed(uow, scene.alice, OFFICE, START)
        await remember_confirmed(uow, scene.alice, HOME, START)
        await uow.commit()
    await scene.mails()
    scene.published.events.clear()

    await scene.rules.remove_allowed_address(admin, OFFICE, [scene.alice.id, scene.bob.id])
    assert await scene.rules_of(scene.alice) == LoginAddresses(
        confirmed=frozenset({HOME}), blocked=frozenset({OFFICE})
    )
    assert (await scene.rules_of(scene.bob)).blocked == {OFFICE}
    async with scene.db.reading() as uow:
        assert (await login_gate(uow, scene.alice, OFFICE)).outcome is Outcome.REFUSE
    [event, _] = scene.rule_events
    assert isinstance(event, AddressRuleChanged)
    assert (event.change, event.user_ids) == (
        AddressRuleChange.REMOVED,
        (scene.alice.id, scene.bob.id),
    )
    assert [m[1] for m in await scene.mails()] == ["IP address removed"] * 2

    await scene.rules.allow_address(admin, OFFICE, [scene.alice.id])
    rules = await scene.rules_of(scene.alice)
    assert (rules.allowed, rules.blocked) == (frozenset({OFFICE}), frozenset())


async def test_an_unknown_user_id_changes_nothing(scene: Scene) -> None:
    admin = signed_in(scene.admin)
    missing = scene.bob.id + 100
    error = await rejected(scene.rules.allow_address(admin, OFFICE, [scene.alice.id, missing]))
    assert (error.code, error.message, error.field) == (
        ErrorCode.NOT_FOUND,
        f"no user with id {missing}",
        "users",
    )
    assert (await scene.rules_of(scene.alice)).allowed == frozenset()
    error = await rejected(scene.rules.set_block_anonymous(admin, [missing], True))
    assert error.code is ErrorCode.NOT_FOUND
    assert scene.rule_events == []


@pytest.mark.parametrize(
    ("address", "users", "message", "field"),
    [
        ("not-an-ip", [1], "'not-an-ip' is not an IPv4 or IPv6 address", "address"),
        ("10.0.0.0/8", [1], "'10.0.0.0/8' is a network; give one address", "address"),
        (OFFICE, [], "list at least one user", "users"),
        (OFFICE, list(range(1, MAX_USERS + 2)), "list at most 100 users at a time", "users"),
    ],
)
async def test_bad_input_is_refused_precisely(
    scene: Scene, address: str, users: list[int], message: str, field: str
) -> None:
    for change in (scene.rules.allow_address, scene.rules.remove_allowed_address):
        error = await rejected(change(signed_in(scene.admin), address, users))
        assert (error.code, error.message, error.field) == (ErrorCode.INVALID_INPUT, message, field)


async def test_only_admins_change_address_rules(scene: Scene) -> None:
    alice = signed_in(scene.alice)
    for call in (
        scene.rules.allow_address(alice, OFFICE, [scene.alice.id]),
        scene.rules.remove_allowed_address(alice, OFFICE, [scene.bob.id]),
        scene.rules.set_block_anonymous(alice, [scene.alice.id], False),
    ):
        assert (await rejected(call)).code is ErrorCode.FORBIDDEN
    assert await scene.rules_of(scene.alice) == LoginAddresses()


async def test_people_see_their_own_rules_and_admins_everyones(scene: Scene) -> None:
    await scene.rules.allow_address(signed_in(scene.admin), OFFICE, [scene.bob.id])
    alice, bob = signed_in(scene.alice), signed_in(scene.bob)
    assert await scene.rules.allowed_addresses(alice, scene.bob.id) is None
    assert await scene.rules.blocks_anonymous(alice, scene.bob.id) is None
    assert len(await scene.rules.allowed_addresses(bob, scene.bob.id) or []) == 1
    admin = signed_in(scene.admin)
    assert len(await scene.rules.allowed_addresses(admin, scene.bob.id) or []) == 1
    assert await scene.rules.blocks_anonymous(admin, scene.bob.id) is False


async def test_blocking_anonymous_addresses_refuses_new_ones_at_the_gate(scene: Scene) -> None:
    admin = signed_in(scene.admin)
    change = await scene.rules.set_block_anonymous(admin, [scene.alice.id, scene.bob.id], True)
    assert len(change.users) == 2
    assert await scene.rules.blocks_anonymous(signed_in(scene.alice), scene.alice.id) is True
    await scene.rules.allow_address(admin, OFFICE, [scene.alice.id])
    async with scene.db.reading() as uow:
        assert (await login_gate(uow, scene.alice, OFFICE)).outcome is Outcome.ALLOW
        refused = await login_gate(uow, scene.alice, HOME)
    assert refused.outcome is Outcome.REFUSE
    assert (refusal(refused).code, refusal(refused).message) == (
        ErrorCode.FORBIDDEN,
        f"this account may only sign in from its allowed addresses, and {HOME} is not one",
    )
    scene.published.events.clear()
    await scene.rules.set_block_anonymous(admin, [scene.alice.id, scene.bob.id], True)
    assert scene.rule_events == []  # nobody's flag changed
    assert scene.told() == []
    await scene.rules.set_block_anonymous(admin, [scene.alice.id], False)
    assert scene.told() == [
        (
            scene.alice.id,
            "Anonymous IP addresses allowed",
            "admin@example.com has allowed sign-ins from new addresses for you. A new address "
            "is confirmed with a code mailed to you.",
        ),
        (
            scene.admin.id,
            "Anonymous IP addresses allowed",
            "You have successfully allowed sign-ins from new addresses for alice@example.com.",
        ),
    ]
    [event] = scene.rule_events
    assert isinstance(event, AddressRuleChanged)
    assert (event.change, event.address, event.user_ids) == (
        AddressRuleChange.ANONYMOUS_ALLOWED,
        None,
        (scene.alice.id,),
    )
    assert not (await scene.rules_of(scene.alice)).block_anonymous
    assert (await scene.rules_of(scene.bob)).block_anonymous


async def test_the_gate_trusts_the_first_address_then_asks_to_confirm_new_ones(
    scene: Scene, clock: MutableClock
) -> None:
    async with scene.db.writing() as uow:
        first = await login_gate(uow, scene.alice, "::ffff:192.0.2.10")
        assert first.outcome is Outcome.ALLOW
        await remember_confirmed(uow, scene.alice, "::ffff:192.0.2.10", clock.now())
        await uow.commit()
    clock.advance(timedelta(hours=1))
    async with scene.db.writing() as uow:
        assert (await login_gate(uow, scene.alice, HOME)).outcome is Outcome.ALLOW
        assert (await login_gate(uow, scene.alice, OFFICE)).outcome is Outcome.CONFIRM
        assert (await login_gate(uow, scene.alice, None)).outcome is Outcome.ALLOW
        await remember_confirmed(uow, scene.alice, HOME, clock.now())
        await remember_confirmed(uow, scene.alice, None, clock.now())  # nothing to remember
        await uow.commit()
    assert (await scene.rules_of(scene.alice)).confirmed == {HOME}


async def test_address_info_answers_what_the_gateway_knows(scene: Scene) -> None:
    await scene.rules.allow_address(signed_in(scene.admin), OFFICE, [scene.bob.id, scene.alice.id])
    report = await scene.rules.address_info(signed_in(scene.admin), None, OFFICE)
    assert (report.info.address, report.info.version, report.info.is_global) == (OFFICE, 4, False)
    assert [p.email for p in report.allowed_by or []] == ["alice@example.com", "bob@example.com"]
    basic = await scene.rules.address_info(signed_in(scene.alice), "::1", OFFICE)
    assert (basic.info.address, basic.info.is_loopback, basic.allowed_by) == ("::1", True, None)
    error = await rejected(scene.rules.address_info(signed_in(scene.alice), None, None))
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "address")
