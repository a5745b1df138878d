"""One benchmarked server, started by the suite on the server core:

    taskset --cpu-list 0 python -m bench.bench_server gateway|plain|floor --port N

`gateway` is the real `occupi serve` (gateway.cli, with its own uvicorn options), its app
wrapped only to count SQL statements (bench.counting); `plain` and `floor` are the
baselines: plain with `uvicorn.run`'s defaults (its access log included), the floor
with no access log (it is the least a server could do). Settings come from the
OCCUPI_* environment, as for `occupi serve`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn

import gateway.app
from bench.baseline_floor import create_floor_app
from bench.baseline_plain import create_plain_app
from bench.counting import StatementCounter, with_statements
from gateway import cli
from gateway.app import create_app
from gateway.settings import Settings

HOST = "127.0.0.1"
KINDS = ("gateway", "plain", "floor")


def _serve_gateway(port: int) -> int:
    """`occupi serve`, with create_app wrapped: the CLI's options stay whatever they are."""

    def counted(settings: Settings, **options: Any) -> Any:
        app = create_app(settings, **options)
        return with_statements(app, StatementCounter(app.state.gateway.db.engine))

    # The names `occupi serve` calls (directly, or through the app factory uvicorn
    # imports), replaced in their modules: `_serve` itself stays as it is.
    vars(cli)["create_app"] = counted
    vars(gateway.app)["create_app"] = counted
    return cli.main(["serve", "--host", HOST, "--port", str(port)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_server")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.kind == "gateway":
        return _serve_gateway(args.port)
    settings = Settings.from_env()
    if args.kind == "plain":
        app, served_gateway = create_plain_app(settings)
        counter = StatementCounter(served_gateway.db.engine)
    else:
        app, engine = create_floor_app(settings.database_url, settings.jwt_secret)
        counter = StatementCounter(engine)
    served = with_statements(app, counter)
    if args.kind == "floor":
        uvicorn.run(served, host=HOST, port=args.port, log_level="warning", access_log=False)
    else:
        uvicorn.run(served, host=HOST, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
