"""Sign-in address rules: admins allow and remove addresses and block anonymous ones.
What sign-in asks of them is in gateway.services.address_gate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.addresses import (
    AddressInfo,
    AllowedAddress,
    describe,
    normalise_address,
)
from domain.audit import AuditEntity
from domain.errors import DomainError, ErrorCode, invalid
from domain.notifications import Notification
from domain.users import Actor, User
from gateway.services import audit
from gateway.services.address_gate import canonical_client
from gateway.services.address_mails import address_added, address_removed
from gateway.services.authz import Principal
from gateway.services.events import AddressRuleChange, AddressRuleChanged, MailQueued
from gateway.services.notify import (
    announce,
    notify_anonymous_rule_changed,
    notify_ip_rule_changed,
)
from gateway.services.ports import Clock, Database, EventPublisher, UnitOfWork
from gateway.services.ration import MailRation, queue_mail
from gateway.services.records import OutgoingMail
from gateway.services.views import PersonView

MAX_USERS = 100


@dataclass(frozen=True)
class AddressChange:
    """The listed users and the address, after an admin's change."""

    address: str | None
    users: list[PersonView]


@dataclass(frozen=True)
class AddressReport:
    """What the gateway knows of an address; `allowed_by` only for admins."""

    info: AddressInfo
    allowed_by: list[PersonView] | None


def _user_ids(user_ids: Sequence[int]) -> list[int]:
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        raise invalid("list at least one user", "users")
    if len(wanted) > MAX_USERS:
        raise invalid(f"list at most {MAX_USERS} users at a time", "users")
    return wanted


def _sees_settings_of(actor: Actor, user_id: int) -> bool:
    return actor.is_admin or actor.user_id == user_id


class AddressRules:
    """Admins only, except `address_info` (anybody signed in) and `allowed_addresses`
    (the person themselves and admins). Changes are all or nothing: an unknown user id
    changes nothing. Affected users get a mail and an AddressRuleChanged event after
    commit, only when their rules really changed."""

    def __init__(
        self, db: Database, clock: Clock, publisher: EventPublisher, ration: MailRation
    ) -> None:
        self._db = db
        self._clock = clock
        self._publisher = publisher
        self._ration = ration

    async def allow_address(
        self, principal: Principal, address: str, user_ids: Sequence[int]
    ) -> AddressChange:
        admin = principal.require_admin()
        canonical = normalise_address(address)
        wanted = _user_ids(user_ids)
        now = self._clock.now()
        async with self._db.writing() as uow:
            people = await self._people(uow, wanted)
            changed = await uow.addresses.allow(wanted, canonical, by=admin.user_id, at=now)
            return await self._finish(
                uow, admin, AddressRuleChange.ALLOWED, canonical, people, changed, address_added
            )

    async def remove_allowed_address(
        self, principal: Principal, address: str, user_ids: Sequence[int]
    ) -> AddressChange:
        """The address is also blocked for them: refused, not confirmable, until allowed
        again (as the original's remove-ip blacklisted it)."""
        admin = principal.require_admin()
        canonical = normalise_address(address)
        wanted = _user_ids(user_ids)
        now = self._clock.now()
        async with self._db.writing() as uow:
            people = await self._people(uow, wanted)
            changed = await uow.addresses.disallow(wanted, canonical, by=admin.user_id, at=now)
            return await self._finish(
                uow, admin, AddressRuleChange.REMOVED, canonical, people, changed, address_removed
            )

    async def set_block_anonymous(
        self, principal: Principal, user_ids: Sequence[int], block: bool
    ) -> AddressChange:
        admin = principal.require_admin()
        wanted = _user_ids(user_ids)
        change = (
            AddressRuleChange.ANONYMOUS_BLOCKED if block else AddressRuleChange.ANONYMOUS_ALLOWED
        )
        async with self._db.writing() as uow:
            people = await self._people(uow, wanted)
            changed = await uow.addresses.set_block_anonymous(wanted, block)
            return await self._finish(uow, admin, change, None, people, changed, None)

    async def address_info(
        self, principal: Principal, address: str | None, client: str | None
    ) -> AddressReport:
        """`address`, or the caller's own client address when None."""
        actor = principal.require()
        if address is None:
            if canonical_client(client) is None:
                raise invalid("your client address is not known; give an address", "address")
            address = str(client)
        info = describe(address)
        if not actor.is_admin:
            return AddressReport(info, None)
        async with self._db.reading() as uow:
            users = await uow.addresses.users_allowing(info.address)
        return AddressReport(info, [PersonView.of(u, actor) for u in users])

    async def allowed_addresses(
        self, principal: Principal, user_id: int
    ) -> list[AllowedAddress] | None:
        """The person's own, or anybody's for an admin; None for anybody else."""
        if not _sees_settings_of(principal.require(), user_id):
            return None
        async with self._db.reading() as uow:
            return await uow.addresses.allowed(user_id)

    async def blocks_anonymous(self, principal: Principal, user_id: int) -> bool | None:
        """Whether the account refuses new addresses; seen like `allowed_addresses`."""
        if not _sees_settings_of(principal.require(), user_id):
            return None
        async with self._db.reading() as uow:
            return (await uow.addresses.rules(user_id)).block_anonymous

    @staticmethod
    async def _people(uow: UnitOfWork, wanted: list[int]) -> list[User]:
        found = await uow.addresses.people(wanted)
        missing = [str(i) for i in wanted if i not in found]
        if missing:
            raise DomainError(
                ErrorCode.NOT_FOUND, f"no user with id {', '.join(missing)}", field="users"
            )
        return [found[i] for i in wanted]

    async def _finish(
        self,
        uow: UnitOfWork,
        admin: Actor,
        change: AddressRuleChange,
        address: str | None,
        people: list[User],
        changed: set[int],
        notice: Callable[[str, str, str], OutgoingMail] | None,
    ) -> AddressChange:
        """Mail the users whose rules changed, commit, then publish."""
        now = self._clock.now()
        mailed = False
        if notice is not None and address is not None:
            for user in people:
                if user.id in changed:
                    queued = await queue_mail(
                        uow, notice(user.email, address, admin.email), now, self._ration
                    )
                    mailed = mailed or queued is not None
        touched = tuple(u.id for u in people if u.id in changed)
        delivered = await self._notify(uow, admin, change, address, people, changed, now)
        if touched:
            await audit.record(
                uow,
                admin,
                AuditEntity.IP_RULE,
                address or "anonymous",
                change.value,
                at=now,
                after={"address": address, "change": change.value, "user_ids": list(touched)},
            )
        await uow.commit()
        await announce(self._publisher, delivered)
        if touched:
            await self._publisher.publish(AddressRuleChanged(change, address, touched, admin, now))
        if mailed:
            await self._publisher.publish(MailQueued(now))
        return AddressChange(address, [PersonView.of(u, admin) for u in people])

    @staticmethod
    async def _notify(
        uow: UnitOfWork,
        admin: Actor,
        change: AddressRuleChange,
        address: str | None,
        people: list[User],
        changed: set[int],
        now: datetime,
    ) -> list[Notification]:
        """The notifications of a change, for the users whose rules changed and the admin;
        none when nothing changed."""
        ids = [u.id for u in people if u.id in changed]
        if not ids:
            return []
        emails = [u.email for u in people if u.id in changed]
        if change in (AddressRuleChange.ALLOWED, AddressRuleChange.REMOVED):
            assert address is not None
            return await notify_ip_rule_changed(
                uow,
                admin_id=admin.user_id,
                admin_email=admin.email,
                user_ids=ids,
                user_emails=emails,
                ip=address,
                added=change is AddressRuleChange.ALLOWED,
                now=now,
            )
        return await notify_anonymous_rule_changed(
            uow,
            admin_id=admin.user_id,
            admin_email=admin.email,
            user_ids=ids,
            user_emails=emails,
            blocked=change is AddressRuleChange.ANONYMOUS_BLOCKED,
            now=now,
        )
