"""IP rules: which addresses people may sign in from, and what an address is."""

from __future__ import annotations

from functools import partial

import strawberry

from domain.errors import invalid
from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.ids import USER, number_ref
from gateway.schema.types import UserNode
from gateway.services.addresses import MAX_USERS, AddressChange, AddressReport

mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])
_USERS = f"The people, by id (or number): 1 to {MAX_USERS}."


def _user_ids(raw: list[strawberry.ID]) -> list[int]:
    if len(raw) > MAX_USERS:  # bounded before any id is parsed
        raise invalid(f"list at most {MAX_USERS} users at a time", "users")
    return [number_ref(r, USER, "users") for r in raw]


@strawberry.input
class AllowAddressInput:
    address: str = strawberry.field(description="One IPv4 or IPv6 address.")
    users: list[strawberry.ID] = strawberry.field(description=_USERS)


@strawberry.input
class RemoveAllowedAddressInput:
    address: str = strawberry.field(description="One IPv4 or IPv6 address.")
    users: list[strawberry.ID] = strawberry.field(description=_USERS)


@strawberry.input
class SetBlockAnonymousAddressesInput:
    users: list[strawberry.ID] = strawberry.field(description=_USERS)
    block: bool = strawberry.field(
        description="True: sign-ins from addresses neither allowed nor confirmed are "
        "refused; false: they are confirmed with a mailed code."
    )


@strawberry.type
class AddressRulesPayload:
    address: str | None = strawberry.field(description="The address, in canonical form.")
    users: list[UserNode] | None
    errors: list[UserError]

    @classmethod
    def of(cls, change: AddressChange | None, errors: list[UserError]) -> AddressRulesPayload:
        if change is None:
            return cls(address=None, users=None, errors=errors)
        users = [UserNode(user=u) for u in change.users]
        return cls(address=change.address, users=users, errors=errors)


@strawberry.type(description="What the gateway itself knows of an address (no geolocation).")
class AddressInfo:
    report: strawberry.Private[AddressReport]

    @strawberry.field(description="Canonical form: IPv4-mapped IPv6 addresses become IPv4.")
    def address(self) -> str:
        return self.report.info.address

    @strawberry.field(description="4 or 6.")
    def version(self) -> int:
        return self.report.info.version

    @strawberry.field
    def is_private(self) -> bool:
        return self.report.info.is_private

    @strawberry.field
    def is_loopback(self) -> bool:
        return self.report.info.is_loopback

    @strawberry.field
    def is_link_local(self) -> bool:
        return self.report.info.is_link_local

    @strawberry.field
    def is_multicast(self) -> bool:
        return self.report.info.is_multicast

    @strawberry.field
    def is_reserved(self) -> bool:
        return self.report.info.is_reserved

    @strawberry.field(description="Reachable on the public internet.")
    def is_global(self) -> bool:
        return self.report.info.is_global

    @strawberry.field(
        description="The people who may sign in from it. Null unless you are an admin."
    )
    def allowed_for(self) -> list[UserNode] | None:
        people = self.report.allowed_by
        return None if people is None else [UserNode(user=p) for p in people]


@strawberry.type
class IpRulesQuery:
    @strawberry.field(
        description="An address (by default, the one you are calling from), for anybody "
        "signed in; who may sign in from it, for admins."
    )
    async def address_info(self, info: Info, address: str | None = None) -> AddressInfo:
        report = await info.context.app.addresses.address_info(
            info.context.principal, address, info.context.client
        )
        return AddressInfo(report=report)


@strawberry.type
class IpRulesMutation:
    @mutation(description="Admins only: let the people sign in from the address.")
    async def allow_address(self, info: Info, input: AllowAddressInput) -> AddressRulesPayload:
        rules = info.context.app.addresses
        change, errors = await attempt(
            lambda: rules.allow_address(
                info.context.principal, input.address, _user_ids(input.users)
            )
        )
        return AddressRulesPayload.of(change, errors)

    @mutation(
        description="Admins only: the address is no longer allowed for the people, and "
        "their sign-ins from it are refused until it is allowed again."
    )
    async def remove_allowed_address(
        self, info: Info, input: RemoveAllowedAddressInput
    ) -> AddressRulesPayload:
        rules = info.context.app.addresses
        change, errors = await attempt(
            lambda: rules.remove_allowed_address(
                info.context.principal, input.address, _user_ids(input.users)
            )
        )
        return AddressRulesPayload.of(change, errors)

    @mutation(description="Admins only.")
    async def set_block_anonymous_addresses(
        self, info: Info, input: SetBlockAnonymousAddressesInput
    ) -> AddressRulesPayload:
        rules = info.context.app.addresses
        change, errors = await attempt(
            lambda: rules.set_block_anonymous(
                info.context.principal, _user_ids(input.users), input.block
            )
        )
        return AddressRulesPayload.of(change, errors)
