"""How `occupi serve` runs uvicorn: uvloop and httptools when they can be imported (they
come with the runtime dependencies on CPython), the standard asyncio loop and h11
otherwise; the access log only when OCCUPI_ACCESS_LOG asks for it."""

from __future__ import annotations

import gc
from importlib.util import find_spec
from typing import Literal, TypedDict

from gateway.settings import Settings


class ServingOptions(TypedDict):
    loop: Literal["uvloop", "asyncio"]
    http: Literal["httptools", "h11"]
    access_log: bool
    log_level: str


def _importable(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def serving_options(settings: Settings) -> ServingOptions:
    """uvicorn.run's keyword arguments for the event loop, the HTTP parser and logging."""
    return ServingOptions(
        loop="uvloop" if _importable("uvloop") else "asyncio",
        http="httptools" if _importable("httptools") else "h11",
        access_log=settings.access_log,
        log_level=settings.log_level,
    )


def freeze_heap() -> None:
    """Called once the app is built, before it serves. The schema, the table metadata,
    the mappers and the modules live as long as the process; `gc.freeze` takes them out
    of the collector's generations, so a full collection no longer walks them on some
    request's time (those were the trivial query's p99 pauses)."""
    gc.collect()
    gc.freeze()
