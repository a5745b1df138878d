"""Mutation root: every mutation answers with a payload carrying typed `errors`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial

import strawberry

from domain.logins import LoginChallengeReason
from gateway.schema.accounts import AccountsMutation, CompleteLoginInput
from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.images import ImagesMutation
from gateway.schema.inputs import (
    AddLocationInput,
    AddRoomInput,
    BookRoomInput,
    CancelBookingInput,
    ChangePasswordInput,
    CheckInInput,
    CreateUserInput,
    LoginInput,
    RegisterInput,
    RequestRegistrationCodeInput,
)
from gateway.schema.iprules import IpRulesMutation
from gateway.schema.notifications import NotificationMutation
from gateway.schema.occupancy import OccupancyMutation
from gateway.schema.presence import PresenceMutation
from gateway.schema.types import BookingNode, LocationNode, RoomNode, UserNode
from gateway.services.accounts import Session
from gateway.services.challenges import LoginChallenged
from gateway.services.views import BookingView

mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])
"""`strawberry.mutation` for every field of Mutation: each runs with fresh DataLoaders."""


@strawberry.type
class LoginPayload:
    token: str | None = None
    expires_at: datetime | None = None
    user: UserNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    code_required: bool = strawberry.field(
        default=False,
        description="The password was right, but a code was mailed: send it to completeLogin.",
    )
    challenge: LoginChallenge | None = None


@strawberry.type(description="Why a sign-in needs a mailed code, and what to do.")
class LoginChallenge:
    reason: LoginChallengeReason
    message: str
    sent: bool = strawberry.field(description="False: the code mailed a moment ago still works.")


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RequestRegistrationCodePayload:
    sent: bool
    errors: list[UserError]


@strawberry.type
class UserPayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class LocationPayload:
    location: LocationNode | None
    errors: list[UserError]


@strawberry.type
class RoomPayload:
    room: RoomNode | None
    errors: list[UserError]


@strawberry.type
class BookingPayload:
    booking: BookingNode | None
    errors: list[UserError]


def _signed_in(info: Info, session: Session | None, errors: list[UserError]) -> LoginPayload:
    """Also set the `token` cookie, which the legacy web client relies on."""
    if session is None:
        return LoginPayload(errors=errors)
    response = info.context.response
    if response is not None:
        cookie = info.context.cookies
        response.set_cookie(
            cookie.name,
            session.token.token,
            expires=session.token.expires_at,
            httponly=True,
            secure=cookie.secure,
            samesite="lax",
        )
    return LoginPayload(
        token=session.token.token,
        expires_at=session.token.expires_at,
        user=UserNode(user=session.user),
    )


def _clear_cookie(info: Info) -> None:
    if info.context.response is not None:
        info.context.response.delete_cookie(info.context.cookies.name)


def _booking(booking: BookingView | None, errors: list[UserError]) -> BookingPayload:
    return BookingPayload(booking=BookingNode(booking=booking) if booking else None, errors=errors)


def _on_booking_id(errors: list[UserError]) -> list[UserError]:
    """The use cases call a booking's key `id`; in these inputs it is `bookingId`."""
    return [replace(e, field="bookingId") if e.field == "id" else e for e in errors]


@strawberry.type
class Mutation(
    AccountsMutation,
    IpRulesMutation,
    PresenceMutation,
    ImagesMutation,
    NotificationMutation,
    OccupancyMutation,
):
    @mutation
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        accounts = info.context.app.accounts
        client = info.context.client

        async def sign_in() -> Session | LoginChallenged:
            try:
                return await accounts.login(input.email, input.password, client=client)
            except LoginChallenged as challenged:
                return challenged

        outcome, errors = await attempt(sign_in)
        if isinstance(outcome, LoginChallenged):
            challenge = LoginChallenge(
                reason=outcome.reason, message=outcome.message, sent=outcome.sent
            )
            return LoginPayload(code_required=True, challenge=challenge)
        return _signed_in(info, outcome, errors)

    @mutation(description="Finish a sign-in that answered codeRequired, with the mailed code.")
    async def complete_login(self, info: Info, input: CompleteLoginInput) -> LoginPayload:
        accounts = info.context.app.accounts
        client = info.context.client
        session, errors = await attempt(
            lambda: accounts.complete_login(input.email, input.code, client=client)
        )
        return _signed_in(info, session, errors)

    @mutation(description="Clear the token cookie (tokens themselves expire).")
    def logout(self, info: Info) -> LogoutPayload:
        _clear_cookie(info)
        return LogoutPayload(ok=True)

    @mutation(
        description="Revoke every token of the caller, this one included, and clear the "
        "token cookie."
    )
    async def logout_everywhere(self, info: Info) -> LogoutPayload:
        accounts = info.context.app.accounts
        _, errors = await attempt(lambda: accounts.logout_everywhere(info.context.principal))
        if not errors:
            _clear_cookie(info)
        return LogoutPayload(ok=not errors, errors=errors)

    @mutation(
        description="Set a new password; every token issued before is revoked and a fresh "
        "one comes back, as from `login`."
    )
    async def change_password(self, info: Info, input: ChangePasswordInput) -> LoginPayload:
        accounts = info.context.app.accounts
        session, errors = await attempt(
            lambda: accounts.change_password(
                info.context.principal,
                current=input.current_password,
                new=input.new_password,
                confirm=input.new_password_confirm,
                client=info.context.client,
            )
        )
        return _signed_in(info, session, errors)

    @mutation(description="Mail a one-time code for `register`.")
    async def request_registration_code(
        self, info: Info, input: RequestRegistrationCodeInput
    ) -> RequestRegistrationCodePayload:
        accounts = info.context.app.accounts
        _, errors = await attempt(lambda: accounts.request_registration_code(input.email))
        return RequestRegistrationCodePayload(sent=not errors, errors=errors)

    @mutation
    async def register(self, info: Info, input: RegisterInput) -> LoginPayload:
        accounts = info.context.app.accounts
        session, errors = await attempt(
            lambda: accounts.register(input.email, input.code, input.password, input.name)
        )
        return _signed_in(info, session, errors)

    @mutation(description="Admins only.")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        accounts = info.context.app.accounts
        user, errors = await attempt(
            lambda: accounts.create_user(
                info.context.principal,
                email=input.email,
                name=input.name,
                password=input.password,
                role=input.role,
                details=input.details.changes() if input.details else None,
                notifications=(
                    input.notification_settings.settings() if input.notification_settings else None
                ),
                push_token=input.push_token,
                block_anonymous=input.block_anonymous_addresses,
            )
        )
        return UserPayload(user=UserNode(user=user) if user else None, errors=errors)

    @mutation(description="Admins only.")
    async def add_location(self, info: Info, input: AddLocationInput) -> LocationPayload:
        directory = info.context.app.directory

        async def add() -> LocationNode:
            location = await directory.add_location(
                info.context.principal,
                kind=input.kind,
                name=input.name,
                parent_id=input.parent(),
                time_zone=input.time_zone,
                bookable_hours=input.bookable_hours(),
                capacity=input.capacity,
            )
            return LocationNode(location=location)

        location, errors = await attempt(add)
        return LocationPayload(location=location, errors=errors)

    @mutation(description="Admins only.")
    async def add_room(self, info: Info, input: AddRoomInput) -> RoomPayload:
        directory = info.context.app.directory

        async def add() -> RoomNode:
            room = await directory.add_room(info.context.principal, input.to_new_room())
            return RoomNode(room=room)

        room, errors = await attempt(add)
        return RoomPayload(room=room, errors=errors)

    @mutation
    async def book_room(self, info: Info, input: BookRoomInput) -> BookingPayload:
        bookings = info.context.app.bookings
        booking, errors = await attempt(
            lambda: bookings.book(info.context.principal, input.to_request())
        )
        return _booking(booking, errors)

    @mutation(description="The creator or an admin.")
    async def cancel_booking(self, info: Info, input: CancelBookingInput) -> BookingPayload:
        bookings = info.context.app.bookings
        booking, errors = await attempt(
            lambda: bookings.cancel(info.context.principal, input.code())
        )
        return _booking(booking, _on_booking_id(errors))

    @mutation(description="The creator or an invited attendee, around the start.")
    async def check_in(self, info: Info, input: CheckInInput) -> BookingPayload:
        bookings = info.context.app.bookings
        booking, errors = await attempt(
            lambda: bookings.check_in(info.context.principal, input.code())
        )
        return _booking(booking, _on_booking_id(errors))
