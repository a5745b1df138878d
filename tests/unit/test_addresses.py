"""Addresses: parsing, canonical form, what an address is, and the sign-in verdict."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.addresses import (
    LoginAddresses,
    Outcome,
    describe,
    login_verdict,
    normalise_address,
    parse_address,
    parse_networks,
    within,
)
from domain.errors import DomainError, ErrorCode

HOME = "192.0.2.10"
OFFICE = "203.0.113.5"
AWAY = "198.51.100.7"


def refusal(raw: str, field: str = "address") -> tuple[ErrorCode, str, str | None]:
    with pytest.raises(DomainError) as caught:
        parse_address(raw, field)
    return caught.value.code, caught.value.message, caught.value.field


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("  192.0.2.10\n", "192.0.2.10"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("::FFFF:c000:020a", "192.0.2.10"),
        ("::1", "::1"),
        ("0.0.0.0", "0.0.0.0"),  # noqa: S104  (parsed, not bound)
    ],
)
def test_addresses_have_one_canonical_form(raw: str, canonical: str) -> None:
    assert normalise_address(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "address cannot be empty"),
        ("   ", "address cannot be empty"),
        ("fe80::1%eth0", "'fe80::1%eth0' has a zone id (%…); give the address without it"),
        ("10.0.0.0/8", "'10.0.0.0/8' is a network; give one address"),
        ("192.0.2.256", "'192.0.2.256' is not an IPv4 or IPv6 address"),
        ("192.0.2", "'192.0.2' is not an IPv4 or IPv6 address"),
        ("localhost", "'localhost' is not an IPv4 or IPv6 address"),
        ("192.0.2.1:80", "'192.0.2.1:80' is not an IPv4 or IPv6 address"),
        ("1" * 46, "address is too long to be an IP address"),
    ],
)
def test_anything_but_one_address_is_refused_precisely(raw: str, message: str) -> None:
    assert refusal(raw) == (ErrorCode.INVALID_INPUT, message, "address")


def test_the_error_names_the_callers_field() -> None:
    assert refusal("nope", "ip")[2] == "ip"


@given(st.ip_addresses())
def test_the_canonical_form_is_stable_and_means_the_same_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    canonical = normalise_address(str(address))
    assert normalise_address(canonical) == canonical
    parsed = ipaddress.ip_address(canonical)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        assert parsed == address.ipv4_mapped
    else:
        assert parsed == address


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_and_its_mapped_ipv6_form_are_one_key(
    address: ipaddress.IPv4Address,
) -> None:
    assert normalise_address(f"::ffff:{address}") == normalise_address(str(address))


@given(st.text(max_size=60))
def test_parsing_any_text_answers_an_address_or_an_invalid_input(raw: str) -> None:
    try:
        address = parse_address(raw)
    except DomainError as error:
        failure: DomainError | None = error
    else:
        failure = None
        assert normalise_address(str(address)) == str(address)
    if failure is not None:
        assert (failure.code, failure.field) == (ErrorCode.INVALID_INPUT, "address")


# --- what an address is ---------------------------------------------------------------------


def test_describe_tells_version_and_kind() -> None:
    public = describe("8.8.8.8")
    assert (public.address, public.version, public.is_global, public.is_private) == (
        "8.8.8.8",
        4,
        True,
        False,
    )
    private = describe("10.1.2.3")
    assert (private.is_private, private.is_global, private.is_loopback) == (True, False, False)
    loopback = describe("::1")
    assert (loopback.version, loopback.is_loopback, loopback.is_global) == (6, True, False)
    link = describe("fe80::1")
    assert (link.is_link_local, link.is_global) == (True, False)
    assert describe("224.0.0.1").is_multicast
    assert describe("240.0.0.1").is_reserved
    assert describe("::ffff:10.0.0.1").address == "10.0.0.1"


# --- networks -------------------------------------------------------------------------------


def test_networks_parse_from_a_comma_separated_list() -> None:
    networks = parse_networks(" 10.0.0.0/8, 192.0.2.1 ,, 2001:db8::/32,::ffff:172.16.0.0/108")
    assert [str(n) for n in networks] == [
        "10.0.0.0/8",
        "192.0.2.1/32",
        "2001:db8::/32",
        "172.16.0.0/12",
    ]
    assert parse_networks("") == ()
    assert within(ipaddress.ip_address("10.9.8.7"), networks)
    assert within(ipaddress.ip_address("172.31.0.1"), networks)
    assert not within(ipaddress.ip_address("192.0.2.2"), networks)
    assert not within(ipaddress.ip_address("::a00:1"), networks)


@pytest.mark.parametrize("raw", ["10.0.0.1/8", "nonsense", "fe80::/10%eth0", "10.0.0.0/33"])
def test_bad_networks_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_networks(raw, "proxies")
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, "proxies")
    assert repr(raw.split("%")[0]) in caught.value.message or raw in caught.value.message


# --- the sign-in verdict --------------------------------------------------------------------


def verdict(client: str | None, **rules: object) -> Outcome:
    return login_verdict(LoginAddresses(**rules), client).outcome  # type: ignore[arg-type]


ALLOWED = frozenset({OFFICE})
CONFIRMED = frozenset({HOME})


def test_an_account_that_knows_no_address_trusts_the_first_one() -> None:
    answer = login_verdict(LoginAddresses(), AWAY)
    assert answer.outcome is Outcome.ALLOW
    assert answer.reason == f"the account knows no address yet: {AWAY} is trusted on first use"


def test_known_addresses_are_allowed() -> None:
    assert verdict(OFFICE, allowed=ALLOWED) is Outcome.ALLOW
    assert verdict(HOME, allowed=ALLOWED, confirmed=CONFIRMED) is Outcome.ALLOW
    assert verdict(HOME, confirmed=CONFIRMED, block_anonymous=True) is Outcome.ALLOW


def test_a_new_address_must_be_confirmed() -> None:
    answer = login_verdict(LoginAddresses(confirmed=CONFIRMED), AWAY)
    assert answer.outcome is Outcome.CONFIRM
    assert answer.reason == (f"new sign-in address {AWAY}: confirm it with the code mailed to you")


def test_blocking_anonymous_addresses_refuses_new_ones() -> None:
    answer = login_verdict(LoginAddresses(allowed=ALLOWED, block_anonymous=True), AWAY)
    assert answer.outcome is Outcome.REFUSE
    assert answer.reason == (
        f"this account may only sign in from its allowed addresses, and {AWAY} is not one"
    )


def test_blocking_anonymous_addresses_with_none_known_refuses_every_address() -> None:
    """An admin who blocks anonymous addresses before allowing any means it."""
    assert verdict(AWAY, block_anonymous=True) is Outcome.REFUSE


def test_an_address_an_admin_removed_is_refused_until_allowed_again() -> None:
    blocked = frozenset({AWAY})
    answer = login_verdict(LoginAddresses(confirmed=CONFIRMED, blocked=blocked), AWAY)
    assert answer.outcome is Outcome.REFUSE
    assert answer.reason == f"this account may not sign in from {AWAY}: an admin removed it"
    assert verdict(AWAY, allowed=blocked, blocked=blocked) is Outcome.ALLOW


def test_an_account_whose_only_address_was_removed_does_not_trust_the_next_one() -> None:
    assert verdict(HOME, blocked=frozenset({AWAY})) is Outcome.CONFIRM


def test_an_unknown_client_address_is_allowed_unless_anonymous_ones_are_blocked() -> None:
    assert verdict(None) is Outcome.ALLOW
    assert verdict(None, confirmed=CONFIRMED) is Outcome.ALLOW
    refused = login_verdict(LoginAddresses(allowed=ALLOWED, block_anonymous=True), None)
    assert (refused.outcome, refused.reason) == (
        Outcome.REFUSE,
        "the sign-in comes from an unknown address",
    )


ADDRESSES = st.sampled_from([HOME, OFFICE, AWAY, "2001:db8::1", "10.0.0.1"])
SETS = st.frozensets(ADDRESSES, max_size=3)


@given(SETS, SETS, SETS, st.booleans(), ADDRESSES)
def test_the_verdict_follows_the_rules(
    allowed: frozenset[str],
    confirmed: frozenset[str],
    blocked: frozenset[str],
    block: bool,
    client: str,
) -> None:
    rules = LoginAddresses(allowed, confirmed, blocked, block)
    outcome = login_verdict(rules, client).outcome
    if client in allowed:
        assert outcome is Outcome.ALLOW  # an admin's allowance always wins
    elif client in blocked:
        assert outcome is Outcome.REFUSE
    elif client in confirmed:
        assert outcome is Outcome.ALLOW
    elif block:
        assert outcome is Outcome.REFUSE
    else:
        first_use = not (allowed | confirmed | blocked)
        assert outcome is (Outcome.ALLOW if first_use else Outcome.CONFIRM)
    if outcome is Outcome.CONFIRM:
        assert not block  # an account that blocks anonymous addresses never mails codes
