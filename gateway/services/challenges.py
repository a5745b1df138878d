"""Sign-ins that need a mailed code besides the password (see domain.logins for why)."""

from __future__ import annotations

from datetime import datetime

from domain.errors import DomainError, ErrorCode
from domain.logins import CodePurpose, LoginChallengeReason
from domain.users import User
from gateway.services import codes, mails
from gateway.services.address_gate import canonical_client
from gateway.services.address_mails import address_confirmation_code
from gateway.services.codes import CodePolicy
from gateway.services.ports import UnitOfWork
from gateway.services.records import MailKind

_WHY = {
    LoginChallengeReason.MFA: "two-step sign-in is on",
    LoginChallengeReason.NEW_ADDRESS: "this is a new network address for the account",
}


class LoginChallenged(DomainError):
    """The password was right, but no token is issued: `completeLogin` with the code
    mailed to the account's address finishes the sign-in. Any API that does not handle
    it answers CODE_REQUIRED, so no API can skip the code."""

    def __init__(self, reason: LoginChallengeReason, *, sent: bool) -> None:
        what = "a code was mailed to you" if sent else "the code mailed a moment ago still works"
        super().__init__(
            ErrorCode.CODE_REQUIRED,
            f"{_WHY[reason]}: {what}; give it to completeLogin to finish signing in",
        )
        self.reason = reason
        self.sent = sent


def client_binding(client: str | None) -> str:
    """What a sign-in code is bound to: the canonical client address ("" when unknown)."""
    return canonical_client(client) or ""


async def mail_login_code(
    uow: UnitOfWork,
    user: User,
    reason: LoginChallengeReason,
    now: datetime,
    policy: CodePolicy,
    client: str | None,
) -> bool:
    """Queue a sign-in code for `user`, which works only from `client` (so confirming a
    new address confirms that one); False (nothing sent) within the cooldown after the
    previous one, which still works. RATE_LIMITED when the day's ration is spent."""
    if await codes.in_cooldown(uow, user.email, MailKind.LOGIN_CODE, now, policy):
        return False
    code = codes.new_code()
    await uow.codes.add(
        email=user.email,
        code_hash=codes.code_hash(user.email, code, client_binding(client)),
        created_at=now,
        expires_at=now + policy.ttl,
        purpose=CodePurpose.LOGIN,
        user_id=user.id,
    )
    if reason is LoginChallengeReason.NEW_ADDRESS:
        mail = address_confirmation_code(user.email, client_binding(client), code, policy.minutes)
    else:
        mail = mails.login_code(user.email, code, policy.minutes, reason)
    await codes.send(uow, mail, now, policy)
    return True
