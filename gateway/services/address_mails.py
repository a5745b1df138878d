"""The text of the mails about sign-in addresses, in the style of gateway.services.mails."""

from __future__ import annotations

from gateway.services.records import MailKind, OutgoingMail

CODE_SUBJECT = "Confirm your new sign-in address"


def address_confirmation_code(email: str, address: str, code: str, minutes: int) -> OutgoingMail:
    """To the account's owner, when a sign-in comes from an address it does not know."""
    return OutgoingMail(
        to=(email,),
        subject=CODE_SUBJECT,
        body=(
            f"Somebody is signing in to your Occupi account from the new address {address}.\n"
            f"If it is you, confirm it with the code {code}; it expires in {minutes} minutes.\n"
            "If it is not you, do not share the code, and change your password.\n"
        ),
        kind=MailKind.ADDRESS_CODE,
    )


def address_added(email: str, address: str, admin_email: str) -> OutgoingMail:
    return OutgoingMail(
        to=(email,),
        subject="IP address added",
        body=(f"{admin_email} added {address} to the addresses you may sign in to Occupi from.\n"),
        kind=MailKind.ADDRESS_ADDED,
    )


def address_removed(email: str, address: str, admin_email: str) -> OutgoingMail:
    return OutgoingMail(
        to=(email,),
        subject="IP address removed",
        body=(
            f"{admin_email} removed {address} from the addresses you may sign in to Occupi "
            "from; sign-ins from it are refused from now on.\n"
        ),
        kind=MailKind.ADDRESS_REMOVED,
    )
