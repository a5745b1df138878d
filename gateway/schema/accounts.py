"""Account management fields: profiles, roles, security settings, e-mail changes."""

from __future__ import annotations

from functools import partial

import strawberry

from domain.errors import invalid
from domain.users import Role
from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.ids import number_ref
from gateway.schema.profiles import SecuritySettingsType, UserDetailsInput
from gateway.schema.types import UserNode
from gateway.services.views import PersonView, SecuritySettings

mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])


def _user_ref(raw: strawberry.ID, field: str = "user") -> int:
    return number_ref(raw, "User", field)


@strawberry.input
class UpdateProfileInput(UserDetailsInput):
    user: strawberry.ID | None = strawberry.field(
        default=None, description="Admins only: somebody else's id; absent: you."
    )
    name: str | None = strawberry.UNSET

    def target(self) -> int | None:
        return None if self.user is None else _user_ref(self.user)

    def new_name(self) -> str | None:
        if self.name is strawberry.UNSET:
            return None
        if self.name is None:
            raise invalid("a name cannot be cleared", "name")
        return self.name


@strawberry.input
class CompleteLoginInput:
    email: str
    code: str


@strawberry.input
class SetRoleInput:
    user: strawberry.ID
    role: Role


@strawberry.input
class RequestEmailChangeInput:
    new_email: str


@strawberry.input
class ConfirmEmailChangeInput:
    code: str


@strawberry.input
class UpdateSecuritySettingsInput:
    mfa: bool
    current_password: str


@strawberry.type
class UpdateProfilePayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class SetRolePayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class RequestEmailChangePayload:
    sent: bool
    errors: list[UserError]


@strawberry.type
class ConfirmEmailChangePayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class UpdateSecuritySettingsPayload:
    security_settings: SecuritySettingsType | None
    errors: list[UserError]


def _node(user: PersonView | None) -> UserNode | None:
    return UserNode(user=user) if user else None


@strawberry.type
class AccountsMutation:
    @mutation(description="Your own profile; admins may name anybody (`user`).")
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UpdateProfilePayload:
        people = info.context.app.people

        async def update() -> PersonView:
            return await people.update_profile(
                info.context.principal,
                user_id=input.target(),
                name=input.new_name(),
                changes=input.changes(),
            )

        user, errors = await attempt(update)
        return UpdateProfilePayload(user=_node(user), errors=errors)

    @mutation(description="Admins only; the last admin cannot be demoted.")
    async def set_role(self, info: Info, input: SetRoleInput) -> SetRolePayload:
        people = info.context.app.people

        async def set_role() -> PersonView:
            return await people.set_role(info.context.principal, _user_ref(input.user), input.role)

        user, errors = await attempt(set_role)
        return SetRolePayload(user=_node(user), errors=errors)

    @mutation(description="Mail a code to the new address for `confirmEmailChange`.")
    async def request_email_change(
        self, info: Info, input: RequestEmailChangeInput
    ) -> RequestEmailChangePayload:
        people = info.context.app.people
        _, errors = await attempt(
            lambda: people.request_email_change(info.context.principal, input.new_email)
        )
        return RequestEmailChangePayload(sent=not errors, errors=errors)

    @mutation(description="Move your account to the address the code was mailed to.")
    async def confirm_email_change(
        self, info: Info, input: ConfirmEmailChangeInput
    ) -> ConfirmEmailChangePayload:
        people = info.context.app.people
        user, errors = await attempt(
            lambda: people.confirm_email_change(info.context.principal, input.code)
        )
        return ConfirmEmailChangePayload(user=_node(user), errors=errors)

    @mutation(description="Your own account only; needs your current password.")
    async def update_security_settings(
        self, info: Info, input: UpdateSecuritySettingsInput
    ) -> UpdateSecuritySettingsPayload:
        accounts = info.context.app.accounts

        async def update() -> SecuritySettings:
            return await accounts.update_security_settings(
                info.context.principal,
                mfa=input.mfa,
                current_password=input.current_password,
                client=info.context.client,
            )

        settings, errors = await attempt(update)
        shown = SecuritySettingsType.of(settings) if settings else None
        return UpdateSecuritySettingsPayload(security_settings=shown, errors=errors)
