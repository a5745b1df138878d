"""Run a command beside throwaway PostgreSQL and Redis servers, then stop them.

    python scripts/test_services.py -- pytest -q

Installs the Debian packages on first use (as root), starts both servers in a temporary
directory on free loopback ports, exports OCCUPI_TEST_DATABASE_URL and
OCCUPI_TEST_BROKER_URL to the command, and stops both servers and removes the directory
whatever happens. Exits with the command's exit status.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

PACKAGES = ("postgresql", "redis-server")
DATABASE = "occupi_test"
ROLE = "occupi"
READY_SECONDS = 60


def _say(text: str) -> None:
    sys.stderr.write(f"test-services: {text}\n")
    sys.stderr.flush()


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = Path(path).parents[1].name
    return int(part) if part.isdigit() else 0


def _ensure_installed() -> Path:
    if _pg_bin() is None or shutil.which("redis-server") is None:
        if os.geteuid() != 0:
            raise SystemExit("install postgresql and redis-server first (apt-get, as root)")
        _say(f"installing {', '.join(PACKAGES)} from Debian's packages")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
            check=True,
            env=env,
        )
    pg_bin = _pg_bin()
    if pg_bin is None:
        raise SystemExit("postgresql installed, but no pg_ctl under /usr/lib/postgresql")
    return pg_bin


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_postgres(command: Sequence[str]) -> list[str]:
    """PostgreSQL refuses to run as root; the Debian package made a `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else [*command]


def _wait_for_port(port: int, what: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start listening on port {port}")


@contextlib.contextmanager
def _postgres(pg_bin: Path, root: Path) -> Iterator[str]:
    data, port = root / "pg", _free_port()
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(
        _as_postgres(
            [str(pg_bin / "initdb"), "-D", str(data), "-U", ROLE, "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Durability is pointless for a throwaway server and costs most of the time.
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    log = root / "pg.log"
    pg_ctl = str(pg_bin / "pg_ctl")
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", ROLE, DATABASE],
            check=True,
        )
        _say(f"PostgreSQL on 127.0.0.1:{port}")
        yield f"postgresql+asyncpg://{ROLE}@127.0.0.1:{port}/{DATABASE}"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )


@contextlib.contextmanager
def _redis(root: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, "redis-server")
        _say(f"Redis on 127.0.0.1:{port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: Sequence[str]) -> int:
    command = list(argv[1:] if argv and argv[0] == "--" else argv)
    if not command:
        raise SystemExit("usage: test_services.py -- COMMAND [ARGS...]")
    pg_bin = _ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="occupi-services-"))
    try:
        with _postgres(pg_bin, root) as database_url, _redis(root) as broker_url:
            env = {
                **os.environ,
                "OCCUPI_TEST_DATABASE_URL": database_url,
                "OCCUPI_TEST_BROKER_URL": broker_url,
            }
            return subprocess.run(command, env=env, check=False).returncode
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
