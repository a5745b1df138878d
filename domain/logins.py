"""When a sign-in needs more than a password, and what a one-time code is for."""

from __future__ import annotations

from enum import StrEnum


class CodePurpose(StrEnum):
    """What a mailed one-time code may be used for; a code works for its purpose only."""

    REGISTRATION = "registration"
    EMAIL_CHANGE = "email_change"
    LOGIN = "login"
    RESET = "reset"


class LoginChallengeReason(StrEnum):
    """Why a sign-in with the right password must also give a mailed code."""

    MFA = "mfa"
    NEW_ADDRESS = "new_address"


def challenge_reason(*, mfa_enabled: bool, new_address: bool) -> LoginChallengeReason | None:
    """The one place that decides whether a sign-in is challenged, and why (None: not).
    A new address (the IP rules want it confirmed) comes first: its code, mailed with the
    address, answers for two-step sign-in as well, so one code is enough."""
    if new_address:
        return LoginChallengeReason.NEW_ADDRESS
    if mfa_enabled:
        return LoginChallengeReason.MFA
    return None
