"""Only canonical IANA zones (domain.zones): the rule on names, and what it refuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from zoneinfo import available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.zones import accept_time_zone, is_canonical_zone_name

INSTALLED = sorted(available_timezones())
T = TypeVar("T")


def outcome(call: Callable[..., T], *args: object) -> T | DomainError:
    """What `call` returns, or the DomainError it raises."""
    try:
        return call(*args)
    except DomainError as error:
        return error


@pytest.mark.parametrize(
    "name",
    [
        "UTC",
        "Etc/UTC",
        "Etc/GMT+5",
        "Europe/London",
        "Africa/Johannesburg",
        "America/Argentina/Buenos_Aires",
        "America/Port-au-Prince",
        "Antarctica/DumontDUrville",
    ],
)
def test_canonical_zones_are_accepted(name: str) -> None:
    assert accept_time_zone(name).key == name


@pytest.mark.parametrize(
    "name",
    [
        "localtime",
        "Factory",
        "posixrules",
        "right/UTC",
        "posix/Europe/London",
        "US/Eastern",
        "GB",
        "EST5EDT",
        "Japan",
        "Australia/NSW",
        "GMT",
        "Zulu",
        "Etc/Zulu",
    ],
)
def test_non_canonical_names_are_refused_with_the_field_named(name: str) -> None:
    with pytest.raises(DomainError) as refused:
        accept_time_zone(name, "timeZone")
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "timeZone")
    assert refused.value.message == (
        f"{name!r} is not a canonical IANA time zone name (such as Europe/London or UTC)"
    )


@pytest.mark.parametrize("name", ["", "Europe", "Mars/Olympus_Mons", "../../etc/passwd", "utc"])
def test_unknown_names_are_refused(name: str) -> None:
    with pytest.raises(DomainError, match="unknown time zone"):
        accept_time_zone(name)


def test_every_installed_area_zone_passes_and_no_alias_file_does() -> None:
    accepted = [n for n in INSTALLED if is_canonical_zone_name(n)]
    assert "Europe/Kyiv" in accepted
    assert len(accepted) > 400
    assert not [n for n in accepted if "/" not in n and n != "UTC"]


@given(st.sampled_from(INSTALLED))
def test_a_name_is_either_accepted_or_refused_as_non_canonical(name: str) -> None:
    if is_canonical_zone_name(name):
        assert accept_time_zone(name).key == name
    else:
        with pytest.raises(DomainError, match="not a canonical"):
            accept_time_zone(name)


@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(name: str) -> None:
    zone = outcome(accept_time_zone, name)
    if isinstance(zone, DomainError):
        assert zone.field == "timeZone"
    else:
        assert zone.key == name
