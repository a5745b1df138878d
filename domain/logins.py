"""When a sign-in needs more than a password, and what a one-time code is for."""

from __future__ import annotations

from enum import StrEnum


class CodePurpose(StrEnum):
    """What a mailed one-time code may be used for; a code works for its purpose only."""

    REGISTRATION = "registration"
    EMAIL_CHANGE = "email_change"
    LOGIN = "login"


class LoginChallengeReason(StrEnum):
    """Why a sign-in with the right password must also give a mailed code."""

    MFA = "mfa"
    NEW_ADDRESS = "new_address"


def challenge_reason(*, mfa_enabled: bool) -> LoginChallengeReason | None:
    """The one place that decides whether a sign-in is challenged, and why (None: not).
    A new reason (e.g. NEW_ADDRESS from the IP rules) is one more parameter and case."""
    if mfa_enabled:
        return LoginChallengeReason.MFA
    return None
