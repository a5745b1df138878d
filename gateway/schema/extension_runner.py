"""Strawberry's schema extension lifecycle, without its per-request scaffolding.

Strawberry enters each lifecycle stage (operation, parsing, validation, execution, each
streamed result) through a context manager that, on every request and for every
extension, inspects the hook's kind, wraps it in a `contextlib` context manager (a
`functools.wraps` copy each time) and pushes it on an exit stack. With the gateway's ten
extensions that scaffolding was a fifth of a trivial query's time. `LeanExtensionsRunner`
keeps the semantics (hooks entered in the extensions' order and left in reverse; an
exception is thrown into the hooks still open, one that a hook swallows goes no further
out, one it raises instead replaces it) and learns each extension class's hooks once.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from enum import Enum
from types import TracebackType
from typing import Any, Literal

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

Hook = Callable[..., Any]


class Kind(Enum):
    GENERATOR = "generator"
    ASYNC_GENERATOR = "async generator"
    FUNCTION = "function"
    COROUTINE = "coroutine"


_HOOKS: dict[tuple[type, str], tuple[Hook, Kind] | None] = {}
_RESULTS: dict[type, bool] = {}


def hooks_of(cls: type[SchemaExtension], name: str) -> tuple[Hook, Kind] | None:
    """The hook `name` of an extension class and its kind; None where the class keeps
    SchemaExtension's default (which does nothing). Learnt once per class."""
    key = (cls, name)
    if key not in _HOOKS:
        _HOOKS[key] = _hook_of(cls, name)
    return _HOOKS[key]


def _hook_of(cls: type[SchemaExtension], name: str) -> tuple[Hook, Kind] | None:
    hook: Hook = getattr(cls, name)
    if hook is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(hook):
        return hook, Kind.GENERATOR
    if inspect.isasyncgenfunction(hook):
        return hook, Kind.ASYNC_GENERATOR
    if inspect.iscoroutinefunction(hook):
        return hook, Kind.COROUTINE
    if callable(hook):
        return hook, Kind.FUNCTION
    msg = f"Hook {name} on {cls.__name__} must be callable, received {hook!r}"
    raise ValueError(msg)


def _has_results(cls: type[SchemaExtension]) -> bool:
    if cls not in _RESULTS:
        _RESULTS[cls] = cls.get_results is not SchemaExtension.get_results
    return _RESULTS[cls]


Open = Generator[None, None, None] | AsyncGenerator[None, None]


class Stage:
    """One lifecycle hook of every extension, as a (sync or async) context manager."""

    __slots__ = ("args", "extensions", "name", "open")

    def __init__(self, extensions: list[SchemaExtension], name: str, *args: Any) -> None:
        self.extensions = extensions
        self.name = name
        self.args = args
        self.open: list[Open] = []

    def __enter__(self) -> None:
        for extension in self.extensions:
            found = hooks_of(type(extension), self.name)
            if found is None:
                continue
            hook, kind = found
            if kind in (Kind.ASYNC_GENERATOR, Kind.COROUTINE):
                self._leave_all(RuntimeError(_not_sync(extension, self.name)))
            try:
                if kind is Kind.GENERATOR:
                    self._enter(hook(extension, *self.args))
                else:
                    hook(extension, *self.args)
            except BaseException as error:
                self._leave_all(error)

    async def __aenter__(self) -> None:
        for extension in self.extensions:
            found = hooks_of(type(extension), self.name)
            if found is None:
                continue
            hook, kind = found
            try:
                if kind is Kind.GENERATOR:
                    self._enter(hook(extension, *self.args))
                elif kind is Kind.ASYNC_GENERATOR:
                    await self._aenter(hook(extension, *self.args))
                elif kind is Kind.COROUTINE:
                    await hook(extension, *self.args)
                else:
                    hook(extension, *self.args)
            except BaseException as error:
                await self._aleave_all(error)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return _outcome(error, self._leave(error))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return _outcome(error, await self._aleave(error))

    def _enter(self, generator: Generator[None, None, None]) -> None:
        next(generator)  # a hook that never yields is a bug, as contextlib says
        self.open.append(generator)

    async def _aenter(self, generator: AsyncGenerator[None, None]) -> None:
        await anext(generator)
        self.open.append(generator)

    def _leave_all(self, error: BaseException) -> None:
        raise self._leave(error) or error

    async def _aleave_all(self, error: BaseException) -> None:
        raise await self._aleave(error) or error

    def _leave(self, error: BaseException | None) -> BaseException | None:
        while self.open:
            generator = self.open.pop()
            if isinstance(generator, AsyncGenerator):
                raise RuntimeError(_not_sync(generator, self.name))
            error = _close(generator, error)
        return error

    async def _aleave(self, error: BaseException | None) -> BaseException | None:
        while self.open:
            generator = self.open.pop()
            if isinstance(generator, AsyncGenerator):
                error = await _aclose(generator, error)
            else:
                error = _close(generator, error)
        return error


def _close(
    generator: Generator[None, None, None], error: BaseException | None
) -> BaseException | None:
    """Resume a hook after its `yield`: the error still in flight afterwards, if any."""
    try:
        if error is None:
            next(generator)
        else:
            generator.throw(error)
    except StopIteration:
        return None
    except BaseException as raised:
        return _replaced(error, raised)
    return RuntimeError("an extension hook yielded twice")


async def _aclose(
    generator: AsyncGenerator[None, None], error: BaseException | None
) -> BaseException | None:
    try:
        if error is None:
            await anext(generator)
        else:
            await generator.athrow(error)
    except StopAsyncIteration:
        return None
    except BaseException as raised:
        return _replaced(error, raised)
    return RuntimeError("an extension hook yielded twice")


def _replaced(error: BaseException | None, raised: BaseException) -> BaseException:
    if raised is not error and raised.__context__ is None:
        raised.__context__ = error
    return raised


def _outcome(error: BaseException | None, left: BaseException | None) -> Literal[False]:
    """What `__exit__` answers. As in Strawberry, a hook that swallows the error only
    hides it from the hooks outside it, never from the caller; an error a hook raised
    instead is raised from here."""
    if left is not None and left is not error:
        raise left
    return False


def _not_sync(owner: object, name: str) -> str:
    return f"SchemaExtension hook {owner}.{name} failed to complete synchronously."


class LeanExtensionsRunner(SchemaExtensionsRunner):
    """SchemaExtensionsRunner with `Stage` for each lifecycle stage."""

    def __init__(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None
    ) -> None:
        super().__init__(execution_context, extensions)

    def operation(self) -> Any:
        return Stage(self.extensions, "on_operation")

    def validation(self) -> Any:
        return Stage(self.extensions, "on_validate")

    def parsing(self) -> Any:
        return Stage(self.extensions, "on_parse")

    def executing(self) -> Any:
        return Stage(self.extensions, "on_execute")

    def on_stream_result(self, result: Any) -> Any:
        return Stage(self.extensions, "on_stream_result", result)

    def get_extensions_results_sync(self) -> dict[str, Any]:
        return super().get_extensions_results_sync() if self._with_results() else {}

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        if self._with_results():
            return await super().get_extensions_results(ctx)
        return dict(ctx.extensions_results)

    def _with_results(self) -> bool:
        return any(_has_results(type(extension)) for extension in self.extensions)
