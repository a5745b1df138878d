"""`occupi api-token create|list|revoke`: sensor and dashboard tokens from the shell.

`create` prints the token alone on the last line of stdout, so a script can take it with
`| tail -n 1`; the token is never shown again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from domain.api_tokens import ApiToken, parse_scopes
from domain.errors import invalid
from gateway.app import Gateway, build_gateway
from gateway.settings import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tokens = commands.add_parser("api-token", help="create, list or revoke API tokens")
    actions = tokens.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser("create", help="issue a token; prints it on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--location", help="the location number of the subtree it sees")
    create.add_argument("--scope", default="read", help="read, ingest or read,ingest")
    create.set_defaults(run=_create)
    actions.add_parser("list", help="every token, revoked ones too").set_defaults(run=_list)
    revoke = actions.add_parser("revoke", help="revoke a token by its number")
    revoke.add_argument("number")
    revoke.set_defaults(run=_revoke)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _number(raw: str, field: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) == 0:
        raise invalid(f"{raw!r} is not a number", field)
    return int(raw)


def describe(token: ApiToken) -> str:
    where = f"location {token.location_id}" if token.location_id else "all locations"
    scopes = ",".join(sorted(token.scopes))
    state = f"revoked {token.revoked_at.isoformat()}" if token.revoked_at else "active"
    return f"{token.id}\t{token.name}\t{scopes}\t{where}\t{state}"


def _run(settings: Settings, work: Callable[[Gateway], Awaitable[None]]) -> int:
    async def run() -> None:
        gateway = build_gateway(settings)
        try:
            await work(gateway)
        finally:
            await gateway.broker.stop()
            await gateway.db.dispose()

    asyncio.run(run())
    return 0


def _create(settings: Settings, args: argparse.Namespace) -> int:
    scopes = parse_scopes(args.scope)
    location = _number(args.location, "location") if args.location else None

    async def create(gateway: Gateway) -> None:
        issued = await gateway.app.api_tokens.issue_as_operator(
            name=args.name, location_id=location, scopes=scopes
        )
        _say(f"created API token {describe(issued.token)}")
        _say("the token (shown only now):")
        _say(issued.secret)

    return _run(settings, create)


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    async def show(gateway: Gateway) -> None:
        for token in await gateway.app.api_tokens.list_as_operator():
            _say(describe(token))

    return _run(settings, show)


def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    token_id = _number(args.number, "number")

    async def revoke(gateway: Gateway) -> None:
        token = await gateway.app.api_tokens.revoke_as_operator(token_id)
        _say(f"revoked API token {describe(token)}")

    return _run(settings, revoke)
