"""The client address behind reverse proxies: headers believed only as far as trusted
proxies wrote them; and the OCCUPI_TRUSTED_PROXIES setting."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.addresses import parse_networks
from domain.forwarding import MAX_HOPS, forwarded_for, resolve_client, x_forwarded_for
from gateway.settings import Settings, SettingsError

PROXIES = parse_networks("10.0.0.0/8, 2001:db8:f::/48")
PROXY = "10.0.0.2"
INNER = "10.1.1.1"
CLIENT = "203.0.113.5"
FORGED = "192.0.2.66"


def resolve(peer: str | None, hops: list[str] | None) -> str | None:
    return resolve_client(peer, hops, PROXIES)


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert resolve(CLIENT, [FORGED]) == CLIENT
    assert resolve_client(PROXY, [CLIENT], ()) == PROXY


def test_a_trusted_peer_forwards_the_client() -> None:
    assert resolve(PROXY, [CLIENT]) == CLIENT


def test_the_walk_from_the_right_skips_trusted_hops_and_stops_at_the_first_other() -> None:
    # The client forged the left-most entry; the proxies appended the rest.
    assert resolve(PROXY, [FORGED, CLIENT, INNER]) == CLIENT


def test_when_every_hop_is_trusted_the_left_most_is_the_client() -> None:
    assert resolve(PROXY, [INNER, "10.2.2.2"]) == INNER


def test_an_unreadable_hop_on_the_walk_falls_back_to_the_peer() -> None:
    assert resolve(PROXY, [CLIENT, "unknown"]) == PROXY
    assert resolve(PROXY, [CLIENT, ""]) == PROXY
    # Past the client nothing is read: it is the client's to write.
    assert resolve(PROXY, ["garbage", CLIENT]) == CLIENT


def test_no_hops_or_too_many_leave_the_peer() -> None:
    assert resolve(PROXY, []) == PROXY
    assert resolve(PROXY, None) == PROXY
    assert resolve(PROXY, [CLIENT] * (MAX_HOPS + 1)) == PROXY


def test_hops_may_carry_ports_and_ipv6_brackets_and_come_out_canonical() -> None:
    assert resolve(PROXY, [f"{CLIENT}:4711"]) == CLIENT
    assert resolve(PROXY, ['"[2001:DB8::1]:4711"']) == "2001:db8::1"
    assert resolve(PROXY, ["[2001:db8::1]"]) == "2001:db8::1"
    assert resolve(PROXY, ["::ffff:203.0.113.5"]) == CLIENT
    assert resolve(PROXY, ["[2001:db8::1"]) == PROXY
    assert resolve(PROXY, ["[2001:db8::1]x"]) == PROXY
    assert resolve("2001:db8:f::9", [CLIENT]) == CLIENT
    assert resolve("::ffff:10.0.0.2", [CLIENT]) == CLIENT


def test_a_missing_or_unreadable_peer_is_kept() -> None:
    assert resolve(None, [CLIENT]) is None
    assert resolve("testclient", [CLIENT]) == "testclient"


def test_forwarded_headers_are_read_for_their_for_parameters() -> None:
    assert forwarded_for(['for=192.0.2.43;proto=https, For="[2001:db8::1]:80"']) == [
        "192.0.2.43",
        '"[2001:db8::1]:80"',
    ]
    assert forwarded_for(["for=192.0.2.43", "for=10.0.0.2;by=10.0.0.1"]) == [
        "192.0.2.43",
        "10.0.0.2",
    ]
    assert forwarded_for(["proto=https"]) is None
    assert forwarded_for(["for"]) is None


def test_x_forwarded_for_lines_are_joined_in_order() -> None:
    assert x_forwarded_for([f"{FORGED}, {CLIENT}", INNER]) == [FORGED, CLIENT, INNER]


PROXIES_LIST = (PROXY, INNER, "10.200.0.1")
TRUSTED = st.sampled_from(PROXIES_LIST)
OTHERS = st.ip_addresses(v=4).filter(lambda a: not a.is_private).map(str)


@given(st.lists(TRUSTED | OTHERS, max_size=8), TRUSTED)
def test_the_client_is_the_right_most_hop_that_is_not_a_proxy(hops: list[str], peer: str) -> None:
    expected = next((h for h in reversed(hops) if h not in PROXIES_LIST), None)
    if expected is None:
        expected = hops[0] if hops else peer
    assert resolve(peer, hops) == expected


@given(st.lists(st.text(max_size=12), max_size=5), OTHERS)
def test_an_untrusted_peer_never_takes_an_address_from_any_header(
    hops: list[str], peer: str
) -> None:
    assert resolve(peer, hops) == peer


@given(st.lists(st.text(max_size=12), max_size=5))
def test_a_trusted_peers_headers_answer_an_address_or_the_peer(hops: list[str]) -> None:
    answer = resolve(PROXY, hops)
    assert answer is not None
    ipaddress.ip_address(answer)


# --- the setting ----------------------------------------------------------------------------


def test_trusted_proxies_default_to_none(tmp_path: Path) -> None:
    settings = Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path)})
    assert settings.trusted_proxies == ()


def test_trusted_proxies_are_read_from_the_environment(tmp_path: Path) -> None:
    env = {"OCCUPI_DATA_DIR": str(tmp_path), "OCCUPI_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}
    networks = Settings.from_env(env).trusted_proxies
    assert [str(n) for n in networks] == ["10.0.0.0/8", "::1/128"]


def test_a_bad_trusted_proxy_is_refused_with_its_name(tmp_path: Path) -> None:
    env = {"OCCUPI_DATA_DIR": str(tmp_path), "OCCUPI_TRUSTED_PROXIES": "10.0.0.0/8, proxy"}
    with pytest.raises(SettingsError, match=r"^OCCUPI_TRUSTED_PROXIES: 'proxy' is not an"):
        Settings.from_env(env)
