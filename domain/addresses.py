"""Network addresses: parsing, what an address is, and whom a sign-in may come from.

Addresses are compared in one canonical text form (`normalise_address`): IPv6 compressed
and lower-case, an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) folded to its IPv4 form,
so one client is one key however its address was written.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_ADDRESS_LENGTH = 45  # the longest IPv6 text form, an IPv4 tail included


def parse_address(raw: str, field: str = "address") -> IPAddress:
    """One IPv4 or IPv6 address, no network, port or zone id; mapped IPv4 folded."""
    text = raw.strip()
    if not text:
        raise invalid(f"{field} cannot be empty", field)
    if len(text) > MAX_ADDRESS_LENGTH:
        raise invalid(f"{field} is too long to be an IP address", field)
    if "%" in text:
        raise invalid(f"{text!r} has a zone id (%…); give the address without it", field)
    if "/" in text:
        raise invalid(f"{text!r} is a network; give one address", field)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise invalid(f"{text!r} is not an IPv4 or IPv6 address", field) from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def normalise_address(raw: str, field: str = "address") -> str:
    """The canonical text form of an address (see the module docstring)."""
    return str(parse_address(raw, field))


def parse_networks(raw: str, field: str = "trustedProxies") -> tuple[IPNetwork, ...]:
    """Comma-separated addresses and CIDR networks; an address is a one-address network.
    Host bits set in a network (`10.0.0.1/8`) are refused: they are usually a typo."""
    networks: list[IPNetwork] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        if "%" in part:
            raise invalid(f"{part!r} has a zone id (%…)", field)
        try:
            network = ipaddress.ip_network(part)
        except ValueError as error:
            raise invalid(f"{part!r} is not an address or a network: {error}", field) from None
        if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
            mapped = network.network_address.ipv4_mapped
            if mapped is not None:
                network = ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}")
        networks.append(network)
    return tuple(networks)


def within(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


@dataclass(frozen=True)
class AddressInfo:
    """What can be told about an address without asking anyone else."""

    address: str
    version: int
    is_private: bool
    is_loopback: bool
    is_link_local: bool
    is_multicast: bool
    is_reserved: bool
    is_global: bool


def describe(raw: str, field: str = "address") -> AddressInfo:
    address = parse_address(raw, field)
    return AddressInfo(
        address=str(address),
        version=address.version,
        is_private=address.is_private,
        is_loopback=address.is_loopback,
        is_link_local=address.is_link_local,
        is_multicast=address.is_multicast,
        is_reserved=address.is_reserved,
        is_global=address.is_global,
    )


class Outcome(StrEnum):
    ALLOW = "allow"
    CONFIRM = "confirm"  # a code mailed to the account must confirm the new address
    REFUSE = "refuse"


@dataclass(frozen=True)
class Verdict:
    """What the address rules say of one sign-in; `reason` is for the person signing in."""

    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class LoginAddresses:
    """One account's address rules, in canonical form (see `normalise_address`).

    `allowed`: added by admins. `confirmed`: sign-ins the owner has confirmed (or the
    first one, trusted on first use). `blocked`: removed by an admin; never trusted again
    until an admin allows it anew. `block_anonymous`: only known addresses may sign in.
    """

    allowed: frozenset[str] = frozenset()
    confirmed: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()
    block_anonymous: bool = False

    @property
    def known(self) -> frozenset[str]:
        return self.allowed | self.confirmed


UNKNOWN_CLIENT = "the sign-in comes from an unknown address"
BLOCKED = "this account may not sign in from {address}: an admin removed it"
NOT_LISTED = "this account may only sign in from its allowed addresses, and {address} is not one"
KNOWN = "{address} is known for this account"
FIRST_USE = "the account knows no address yet: {address} is trusted on first use"
NEW_ADDRESS = "new sign-in address {address}: confirm it with the code mailed to you"


def login_verdict(rules: LoginAddresses, client: str | None) -> Verdict:
    """Whether a sign-in from `client` (canonical form, None: not known) may go on.

    In order: an unknown client address (an in-process caller such as the CLI, or a
    server that does not say) is allowed, unless the account only takes known addresses;
    an address an admin removed is refused, unless allowed again; a known address is
    allowed; an account that blocks anonymous addresses refuses any other; an account
    that knows no address and has none blocked trusts the first one (so accounts that
    existed before these rules are not locked out; the caller remembers it); any other
    address is new and must be confirmed with a mailed code.
    """
    if client is None:
        if rules.block_anonymous:
            return Verdict(Outcome.REFUSE, UNKNOWN_CLIENT)
        return Verdict(Outcome.ALLOW, UNKNOWN_CLIENT)
    if client in rules.blocked and client not in rules.allowed:
        return Verdict(Outcome.REFUSE, BLOCKED.format(address=client))
    if client in rules.known:
        return Verdict(Outcome.ALLOW, KNOWN.format(address=client))
    if rules.block_anonymous:
        return Verdict(Outcome.REFUSE, NOT_LISTED.format(address=client))
    if not rules.known and not rules.blocked:
        return Verdict(Outcome.ALLOW, FIRST_USE.format(address=client))
    return Verdict(Outcome.CONFIRM, NEW_ADDRESS.format(address=client))


@dataclass(frozen=True)
class AllowedAddress:
    """An address an admin allowed one user to sign in from; `added_by` is None once
    that admin's account is gone."""

    address: str
    added_at: datetime
    added_by: int | None
