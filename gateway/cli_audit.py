"""`occupi audit export [--since …] [--until …] [--format jsonl|csv] [--output FILE]` and
`occupi audit purge`: the audit log from the shell (docs/audit.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from gateway.app import build_gateway
from gateway.audit_export import export_lines, format_of, query_of
from gateway.settings import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="export or purge the audit log")
    actions = audit.add_subparsers(required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write events, newest first, to stdout")
    export.add_argument("--format", default="jsonl", help="jsonl (default) or csv")
    export.add_argument("--since", help="ISO 8601 instant with an offset, inclusive")
    export.add_argument("--until", help="ISO 8601 instant with an offset, exclusive")
    export.add_argument("--entity", help="booking, user, location, room, ip_rule, api_token")
    export.add_argument("--entity-id")
    export.add_argument("--actor", help="user:<n>, token:<id>, system or anonymous")
    export.add_argument("--action")
    export.add_argument("--output", type=Path, help="a file instead of stdout")
    export.set_defaults(run=_export)
    purge = actions.add_parser("purge", help="drop events older than the retention")
    purge.set_defaults(run=_purge)


def _export(settings: Settings, args: argparse.Namespace) -> int:
    fmt = format_of(args.format)
    given = {
        "since": args.since,
        "until": args.until,
        "entity": args.entity,
        "entityId": args.entity_id,
        "actor": args.actor,
        "action": args.action,
    }
    query = query_of({k: v for k, v in given.items() if v})

    async def run(out: TextIO) -> None:
        gateway = build_gateway(settings)
        try:
            events = gateway.app.audit.export_as_operator(
                query, limit=settings.audit_export_max_rows
            )
            async for line in export_lines(events, fmt):
                out.write(line)
        finally:
            await gateway.db.dispose()

    if args.output is None:
        asyncio.run(run(sys.stdout))
    else:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            asyncio.run(run(out))
    return 0


def _purge(settings: Settings, _args: argparse.Namespace) -> int:
    async def run() -> int:
        gateway = build_gateway(settings)
        try:
            return await gateway.app.audit.purge()
        finally:
            await gateway.db.dispose()

    dropped = asyncio.run(run())
    if settings.audit_retention is None:
        sys.stdout.write("OCCUPI_AUDIT_RETENTION_DAYS is not set: every event is kept\n")
    else:
        sys.stdout.write(f"dropped {dropped} audit events\n")
    return 0
