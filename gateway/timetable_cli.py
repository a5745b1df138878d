"""`occupi import timetable FILE [--schedules CSV] [--as EMAIL] [--if-empty]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from domain.errors import DomainError, ErrorCode, invalid
from domain.timetable_format import parse_timetable
from domain.users import Role, normalise_email
from gateway.app import Gateway, build_gateway
from gateway.services.authz import Principal
from gateway.services.records import PageRequest, UserQuery
from gateway.services.timetable_records import ImportReport
from gateway.settings import Settings

BAR_WIDTH = 30


def add_import_command(commands: Any) -> None:
    """Register `import timetable` on the `occupi` command's subparsers."""
    importing = commands.add_parser("import", help="import data from a file")
    kinds = importing.add_subparsers(required=True, metavar="KIND")
    timetable = kinds.add_parser(
        "timetable", help="import a timetable (docs/timetables.md); all or nothing"
    )
    timetable.add_argument("file", type=Path, help="the timetable, as JSON")
    timetable.add_argument("--schedules", type=Path, help="more schedule rows, as CSV")
    timetable.add_argument(
        "--as", dest="admin", help="the admin account acting (default: the first admin)"
    )
    timetable.add_argument(
        "--if-empty", action="store_true", help="do nothing if a timetable is already loaded"
    )
    timetable.set_defaults(run=_import_timetable)


def _import_timetable(settings: Settings, args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
        rows = args.schedules.read_text(encoding="utf-8") if args.schedules else None
    except (OSError, UnicodeDecodeError) as error:
        sys.stderr.write(f"occupi: cannot read the timetable: {error}\n")
        return 1
    timetable = parse_timetable(text, rows)
    return asyncio.run(_run(settings, timetable, args.admin, if_empty=args.if_empty))


async def _run(settings: Settings, timetable: Any, admin: str | None, *, if_empty: bool) -> int:
    gateway = build_gateway(settings)
    try:
        if if_empty:
            async with gateway.db.reading() as uow:
                if await uow.timetables.has_courses():
                    sys.stdout.write("a timetable is already loaded\n")
                    return 0
        principal = await _acting_admin(gateway, admin)
        report = await gateway.app.timetable_import.run(principal, timetable, _progress_bar())
    finally:
        await gateway.broker.stop()
        await gateway.db.dispose()
    sys.stderr.write("\n")
    sys.stdout.write(describe(report))
    return 0


async def _acting_admin(gateway: Gateway, email: str | None) -> Principal:
    async with gateway.db.reading() as uow:
        if email is not None:
            user = await uow.users.by_email(normalise_email(email))
            if user is None or user.role is not Role.ADMIN:
                raise invalid(f"{email} is not an admin account", "--as")
        else:
            admins = await uow.users.list(UserQuery(role=Role.ADMIN), PageRequest(first=1))
            if not admins.items:
                raise DomainError(
                    ErrorCode.NOT_FOUND, "no admin account: run `occupi create-admin` first"
                )
            user = admins.items[0]
    return Principal(actor=user.as_actor())


def _progress_bar() -> Any:
    def show(done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show


def describe(report: ImportReport) -> str:
    lines = [
        f"sessions: {report.sessions_added} added, {report.sessions_restored} restored, "
        f"{report.sessions_withdrawn} withdrawn",
        f"events: {report.events_added} added, {report.events_restored} restored, "
        f"{report.events_withdrawn} withdrawn",
    ]
    if not report.changed:
        lines.append("nothing changed")
    for c in report.collisions:
        lines.append(
            f"collision: {c.origin} needs {c.room_code}, booked by {c.booking_code} from "
            f"{c.interval.start.isoformat()} to {c.interval.end.isoformat()}: cancelled"
        )
    return "\n".join(lines) + "\n"
