"""The IP endpoints (§4.22 to §4.25): admins allow and remove sign-in addresses and block
anonymous ones, for people named by e-mail address."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import invalid
from rest_compat.occupi.envelopes import Done, OccupiEnvelope, success
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NO_SUCH_USER,
    NOT_ADMIN,
    PEOPLE_ERRORS,
    Emails,
    Flag,
    Loose,
    Text,
    answers,
    client_of,
    email_list,
    flag,
    required,
)
from rest_compat.routing import ADMIN, Call, Endpoint, Reply

TAGS = ("Occupi: IP addresses",)
_RENAMES = {"address": "ip", "users": "emails"}


class IpInfo(BaseModel):
    """The fields of ipinfo's Core object that the gateway can know without asking
    anybody: the address, and `bogon` for addresses that are not globally routable."""

    ip: str
    bogon: bool | None = None


class IpInfoBody(OccupiEnvelope[IpInfo]):
    """`bogon` is left out for public addresses, as ipinfo leaves it out."""


class IpChange(Loose):
    ip: Text = None
    emails: Emails = None


class AnonymousToggle(Loose):
    emails: Emails = None
    blockAnonymousIPAddress: Flag = None
    allowAnonymousIPAddress: Flag = None


@answers(PEOPLE_ERRORS, _RENAMES)
async def get_ip_info(call: Call[None]) -> Response:
    """What the gateway knows of the caller's own address."""
    report = await call.app.addresses.address_info(call.principal, None, client_of(call))
    data: dict[str, Any] = {"ip": report.info.address}
    if not report.info.is_global:
        data["bogon"] = True
    return success("Successfully fetched IP information!", data)


async def _ids(call: Call[Any], emails: Any) -> list[int]:
    people = await call.app.lookup.people(call.principal, email_list(emails))
    return [p.id for p in people]


@answers(PEOPLE_ERRORS, _RENAMES)
async def add_ip(call: Call[IpChange]) -> Response:
    """Allow `ip` (IPv4 or IPv6) for the people `emails` lists; each must have an
    account, or nothing changes."""
    ip = required(call.body.ip, "ip")
    ids = await _ids(call, call.body.emails)
    await call.app.addresses.allow_address(call.principal, ip, ids)
    return success("Successfully added IP!")


@answers(PEOPLE_ERRORS, _RENAMES)
async def remove_ip(call: Call[IpChange]) -> Response:
    """Remove `ip` from the allowed addresses of the people `emails` lists; it is then
    refused for them until allowed again, as the original blacklisted it."""
    ip = required(call.body.ip, "ip")
    ids = await _ids(call, call.body.emails)
    await call.app.addresses.remove_allowed_address(call.principal, ip, ids)
    return success("Successfully removed IP!")


@answers(PEOPLE_ERRORS, _RENAMES)
async def toggle_allow_anonymous_ip(call: Call[AnonymousToggle]) -> Response:
    """`blockAnonymousIPAddress: true` (what the original read) refuses sign-ins from
    new addresses for the people `emails` lists; the documented
    `allowAnonymousIPAddress` is accepted with its documented meaning (true: allowed).
    One of the two is needed; both must agree."""
    body = call.body
    block = flag(body.blockAnonymousIPAddress, "blockAnonymousIPAddress")
    allow = flag(body.allowAnonymousIPAddress, "allowAnonymousIPAddress")
    if block is None and allow is None:
        raise invalid("blockAnonymousIPAddress must be provided", "blockAnonymousIPAddress")
    if block is not None and allow is not None and block == allow:
        raise invalid(
            "blockAnonymousIPAddress and allowAnonymousIPAddress contradict each other",
            "blockAnonymousIPAddress",
        )
    chosen = block if block is not None else not allow
    ids = await _ids(call, body.emails)
    await call.app.addresses.set_block_anonymous(call.principal, ids, chosen)
    return success("Successfully toggled allow anonymous IP status!")


CHANGE_ERRORS = {400: BAD_INPUT, 401: NOT_ADMIN, 404: NO_SUCH_USER}

ENDPOINTS = (
    Endpoint(
        "GET",
        "/api/get-ip-info",
        get_ip_info,
        summary="What is known of the caller's address",
        responses={200: Reply(IpInfoBody, "The address."), 400: BAD_INPUT, 401: NOT_ADMIN},
        guard=ADMIN,
        tags=TAGS,
    ),
    Endpoint(
        "POST",
        "/api/add-ip",
        add_ip,
        summary="Allow an address for some people",
        responses={200: Reply(Done, DONE), **CHANGE_ERRORS},
        guard=ADMIN,
        tags=TAGS,
        request=IpChange,
    ),
    Endpoint(
        "DELETE",
        "/api/remove-ip",
        remove_ip,
        summary="Remove an allowed address of some people",
        responses={200: Reply(Done, DONE), **CHANGE_ERRORS},
        guard=ADMIN,
        tags=TAGS,
        request=IpChange,
    ),
    Endpoint(
        "PUT",
        "/api/toggle-allow-anonymous-ip",
        toggle_allow_anonymous_ip,
        summary="Block or allow sign-ins from new addresses",
        responses={200: Reply(Done, DONE), **CHANGE_ERRORS},
        guard=ADMIN,
        tags=TAGS,
        request=AnonymousToggle,
    ),
)
