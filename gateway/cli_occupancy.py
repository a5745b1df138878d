"""`occupi api-token create|list|revoke`: sensor and dashboard tokens from the shell;
`occupi simulate`: demo readings.

`create` prints the token alone on the last line of stdout, so a script can take it with
`| tail -n 1`; the token is never shown again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence

import httpx

from domain.api_tokens import ApiToken, parse_scopes
from domain.errors import invalid
from gateway.app import Gateway, build_gateway
from gateway.services.simulator import InProcessSink, Simulator, Tick
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
    add_simulate(commands)


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


class HttpSink:
    """The simulator's readings to a running server, as a sensor gateway sends them."""

    def __init__(self, base_url: str) -> None:
        self._url = base_url.rstrip("/") + "/ingest/readings"

    async def send(self, secret: str, readings: Sequence[Mapping[str, object]]) -> int:
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.post(
                    self._url, json=list(readings), headers={"Authorization": f"Bearer {secret}"}
                )
        except httpx.TransportError as error:
            # The server may still be starting (make serve starts both): next round.
            sys.stderr.write(f"occupi simulate: {self._url} not reachable ({error})\n")
            return 0
        response.raise_for_status()
        accepted: int = response.json()["accepted"]
        return accepted


def add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser("simulate", help="feed realistic readings for the demo")
    simulate.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    simulate.add_argument("--ticks", type=int, help="stop after this many rounds")
    simulate.add_argument(
        "--url", help="send to this running server (its live subscribers see the changes)"
    )
    simulate.add_argument("--seed", type=int, help="a fixed random seed, for repeatable runs")
    simulate.set_defaults(run=_simulate)


def _progress(tick: Tick) -> None:
    line = (
        f"round {tick.number} at {tick.at:%H:%M:%S}: {tick.accepted}/{tick.sent} readings "
        f"accepted, {tick.people} people counted"
    )
    if sys.stdout.isatty():
        sys.stdout.write("\r" + line.ljust(78))
        sys.stdout.flush()
    else:
        _say(line)


def _simulate(settings: Settings, args: argparse.Namespace) -> int:
    if args.interval <= 0 or (args.ticks is not None and args.ticks < 1):
        raise invalid("--interval must be positive and --ticks at least 1", "interval")

    async def simulate(gateway: Gateway) -> None:
        app = gateway.app
        sink = HttpSink(args.url) if args.url else InProcessSink(app.ingest, app.api_tokens)
        rng = random.Random(args.seed)  # noqa: S311  (demo counts, not secrets)
        simulator = Simulator(gateway.db, app.clock, app.api_tokens, sink, rng)
        with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
            await simulator.run(interval=args.interval, ticks=args.ticks, progress=_progress)

    return _run(settings, simulate)
