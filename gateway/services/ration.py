"""Rations on what one person can make the gateway do to others: mail sent on somebody's
behalf is rationed per recipient address, so no address can be flooded through the
gateway however many accounts or requests an attacker uses."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from gateway.services.ports import UnitOfWork
from gateway.services.records import MailKind, OutgoingMail

log = logging.getLogger(__name__)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class MailRation:
    """At most `per_recipient` mails on somebody's behalf per address per rolling `window`,
    counted for booking mail and for registration mail apart (`MailKind.rationed_with`)."""

    per_recipient: int = 20
    window: timedelta = DAY


def mail_key(address: str) -> str:
    """The lock that serialises counting and queueing mail for one address."""
    return f"mail:{address}"


async def recently_mailed(
    uow: UnitOfWork, address: str, kinds: Iterable[MailKind], since: datetime
) -> bool:
    """Whether a mail of one of `kinds` was queued for `address` after `since`. The caller
    holds `mail_key(address)`, so the answer stays true until it commits."""
    counts = await uow.outbox.deliveries_since((address,), since, tuple(kinds))
    return counts.get(address, 0) > 0


async def queue_mail(
    uow: UnitOfWork, mail: OutgoingMail, now: datetime, ration: MailRation
) -> OutgoingMail | None:
    """Queue `mail` in the unit of work, without the recipients whose ration is spent.

    Returns what was queued, or None when nobody was left to write to. Mail to the
    person who acted (a confirmation) is not rationed: it is theirs.
    """
    if not mail.kind.on_behalf:
        await uow.outbox.add(mail)
        return mail
    await uow.lock(*(mail_key(r) for r in mail.recipients))
    since = now - ration.window
    counts = await uow.outbox.deliveries_since(mail.recipients, since, mail.kind.rationed_with)
    allowed = {r for r in mail.recipients if counts.get(r, 0) < ration.per_recipient}
    if len(allowed) < len(set(mail.recipients)):
        # The address itself is not logged: it is personal data and the point is the count.
        log.info(
            "mail ration: %d of %d recipients of a %s mail left out",
            len(set(mail.recipients)) - len(allowed),
            len(set(mail.recipients)),
            mail.kind.value,
        )
    if not allowed:
        return None
    kept = replace(
        mail,
        to=tuple(r for r in mail.to if r in allowed),
        bcc=tuple(r for r in mail.bcc if r in allowed),
    )
    await uow.outbox.add(kept)
    return kept
