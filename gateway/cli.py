"""The `occupi` command: serve, migrate, seed-demo, create-admin, export-schema, api-token,
audit."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.exc import OperationalError

from domain.errors import DomainError
from domain.users import Role, normalise_email
from gateway.app import build_gateway, create_app
from gateway.cli_audit import add_commands as audit_commands
from gateway.cli_occupancy import add_commands as occupancy_commands
from gateway.http.server import AnsweringWebSocketsProtocol, LimitedHttpToolsProtocol
from gateway.migrate import upgrade
from gateway.schema.build import build_schema
from gateway.seed import DemoCredentials, generate_password, is_seeded, seed_demo
from gateway.serving import freeze_heap, serving_options
from gateway.settings import Settings, SettingsError
from gateway.timetable_cli import add_import_command

CREDENTIALS_FILE = "demo-credentials.txt"
MAX_WORKERS = 64


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
        )
        # One line per HTTP request the simulator makes would drown its progress lines.
        logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.root.level))
        return int(args.run(settings, args))
    except SettingsError as error:
        sys.stderr.write(f"occupi: configuration error: {error}\n")
        return 2
    except DomainError as error:
        where = f" ({error.field})" if error.field else ""
        sys.stderr.write(f"occupi: {error.code.value}{where}: {error.message}\n")
        return 1
    except OperationalError as error:
        hint = " (run `occupi migrate` first)" if "no such table" in str(error) else ""
        sys.stderr.write(f"occupi: database error{hint}: {error.orig}\n")
        return 1


def _say(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="occupi", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve GraphQL on HOST:PORT")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="serving processes sharing the port (more than 1 needs OCCUPI_BROKER_URL)",
    )
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        run=_migrate
    )
    seed = commands.add_parser("seed-demo", help="load the demo dataset")
    seed.add_argument("--if-empty", action="store_true", help="do nothing if users exist")
    seed.set_defaults(run=_seed)
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    admin.set_defaults(run=_create_admin)
    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(
        run=_export_schema
    )
    add_import_command(commands)
    occupancy_commands(commands)
    audit_commands(commands)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.workers > 1 and settings.broker_url is None:
        # Each process would only see its own events: subscribers would miss the rest.
        sys.stderr.write(
            "occupi: --workers above 1 needs OCCUPI_BROKER_URL (Redis), so that live "
            "events reach subscribers of every process\n"
        )
        return 2
    host, port = args.host or settings.host, args.port or settings.port
    _say(f"Occupi Gateway: http://{host}:{port}/")
    _say(f"GraphQL API and the GraphiQL IDE: http://{host}:{port}/graphql")
    if args.workers == 1:
        app = create_app(settings)
        freeze_heap()
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=False,  # OCCUPI_TRUSTED_PROXIES decides (gateway.auth.proxies)
            **_uvicorn_options(settings),
        )
        return 0
    _say(f"{args.workers} worker processes")
    # Workers import the app by name and read the same OCCUPI_* settings from the
    # environment, so each builds its own engine, broker connection and mail relay.
    uvicorn.run(
        "gateway.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        proxy_headers=False,
        **_uvicorn_options(settings),
    )
    return 0


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The loop, parser and logging (gateway.serving), then the HTTP limits, whose
    protocol classes are httptools' and websockets' own, limited."""
    return {**serving_options(settings), **_connection_limits(settings)}


def _connection_limits(settings: Settings) -> dict[str, Any]:
    """uvicorn's side of the HTTP limits (gateway.http.server): a deadline and a size
    limit on request heads, handshake refusals that are answered, idle keep-alive
    connections and dead WebSocket peers closed."""
    limits = settings.http
    return {
        "http": LimitedHttpToolsProtocol,
        "ws": AnsweringWebSocketsProtocol,
        "timeout_keep_alive": limits.keep_alive_seconds,
        "ws_ping_interval": limits.ws_ping_seconds,
        "ws_ping_timeout": limits.ws_ping_seconds,
        "ws_max_size": limits.max_body_bytes,
    }


def _workers(raw: str) -> int:
    try:
        count = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_WORKERS}")
    return count


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    _say("database is at the latest revision")
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_seed_async(settings, if_empty=args.if_empty))


async def _seed_async(settings: Settings, *, if_empty: bool) -> int:
    gateway = build_gateway(settings)
    try:
        if await is_seeded(gateway):
            if if_empty:
                kept = settings.data_dir / CREDENTIALS_FILE
                hint = f"; demo credentials are in {kept}" if kept.exists() else ""
                _say(f"demo data already present{hint}")
                return 0
            sys.stderr.write(
                "occupi: the database already has users; seed-demo needs an empty one\n"
            )
            return 1
        credentials = await seed_demo(gateway)
    finally:
        await gateway.broker.stop()  # seeding publishes live events: close its connection
        await gateway.db.dispose()
    text = _describe(credentials)
    _keep(settings.data_dir / CREDENTIALS_FILE, text)
    _say(text)
    return 0


def _describe(credentials: DemoCredentials) -> str:
    users = ", ".join(credentials.user_emails)
    return (
        "Demo data created.\n"
        f"  admin: {credentials.admin_email}  password: {credentials.admin_password}\n"
        f"  users: {users}  password: {credentials.user_password}\n"
    )


def _keep(path: Path, text: str) -> None:
    """Write `text` readable by the owner only, whatever the file's mode was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    email = normalise_email(args.email)  # before any password is asked for or printed
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("password for the new admin: ")
    else:
        password = generate_password()
        _say(f"generated password: {password}")
    return asyncio.run(_create_admin_async(settings, email, args.name, password))


async def _create_admin_async(settings: Settings, email: str, name: str, password: str) -> int:
    gateway = build_gateway(settings)
    try:
        user = await gateway.app.accounts.provision(
            email=email, name=name, password=password, role=Role.ADMIN
        )
    finally:
        await gateway.broker.stop()
        await gateway.db.dispose()
    _say(f"created admin {user.email}")
    return 0


def _export_schema(_settings: Settings, _args: argparse.Namespace) -> int:
    sys.stdout.write(build_schema().as_str() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
