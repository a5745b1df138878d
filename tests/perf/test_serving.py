"""`occupi serve`: uvloop and httptools when importable (asyncio and h11 otherwise), and
no access log unless OCCUPI_ACCESS_LOG turns it on, shown on a real uvicorn server."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway import cli, serving
from gateway.serving import serving_options
from gateway.settings import Settings, SettingsError


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path), **env})


def test_the_access_log_is_off_by_default_and_on_with_the_setting(tmp_path: Path) -> None:
    assert _settings(tmp_path).access_log is False
    assert serving_options(_settings(tmp_path))["access_log"] is False
    on = _settings(tmp_path, OCCUPI_ACCESS_LOG="true")
    assert serving_options(on)["access_log"] is True
    with pytest.raises(SettingsError, match="OCCUPI_ACCESS_LOG must be true or false"):
        _settings(tmp_path, OCCUPI_ACCESS_LOG="sometimes")


def test_uvloop_and_httptools_when_importable_else_the_standard_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = serving_options(_settings(tmp_path))
    assert (options["loop"], options["http"]) == ("uvloop", "httptools")
    monkeypatch.setattr(serving, "find_spec", lambda _name: None)
    options = serving_options(_settings(tmp_path))
    assert (options["loop"], options["http"]) == ("asyncio", "h11")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_occupi_serve_hands_them_to_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: seen.update(kw))
    monkeypatch.setattr(cli, "freeze_heap", lambda: seen.update(frozen=True))
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OCCUPI_BROKER_URL", "redis://127.0.0.1:1")  # never connected to
    assert cli.main(["serve", "--workers", workers]) == 0
    # httptools' protocol, with the head limits of gateway.http.server.
    assert issubclass(seen["http"], HttpToolsProtocol)
    assert (seen["loop"], seen["access_log"]) == ("uvloop", False)
    assert seen["log_level"] == "info"
    # One process freezes its heap before serving; workers do it in app_from_env.
    assert seen.get("frozen", False) is (workers == "1")


def test_freezing_the_heap_takes_what_lives_out_of_the_collectors_reach() -> None:
    try:
        serving.freeze_heap()
        assert gc.get_freeze_count() > 1000  # the modules, the schema machinery, ...
        assert gc.get_count()[0] < 100  # collected first: what was garbage is gone
    finally:
        gc.unfreeze()


async def _serve_once(app: Starlette, settings: Settings) -> None:
    """One GET /healthz through a real uvicorn server on a free port, configured as
    `occupi serve` configures it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_config=None, **serving_options(settings))
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert response.json() == {"status": "ok"}
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.mark.parametrize("access_log", [False, True])
async def test_a_real_server_logs_requests_only_with_the_access_log_on(
    app: Starlette, settings: Settings, caplog: pytest.LogCaptureFixture, access_log: bool
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    await _serve_once(app, replace(settings, access_log=access_log))
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert bool(lines) is access_log, lines
    assert all("/healthz" in line for line in lines)


def test_the_document_cache_size_is_a_bounded_setting(tmp_path: Path) -> None:
    assert _settings(tmp_path).graphql_document_cache == 256
    assert _settings(tmp_path, OCCUPI_GRAPHQL_DOCUMENT_CACHE="10").graphql_document_cache == 10
    message = "OCCUPI_GRAPHQL_DOCUMENT_CACHE must be between 1 and 100000, not 0"
    with pytest.raises(SettingsError, match=message):
        _settings(tmp_path, OCCUPI_GRAPHQL_DOCUMENT_CACHE="0")
