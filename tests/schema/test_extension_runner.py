"""The lean extension runner keeps Strawberry's lifecycle semantics: the same hooks run in
the same order, errors reach the same hooks and come out the same. Each case is run
through Strawberry's own context manager too and the two records compared."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import OperationContextManager

from gateway.schema.extension_runner import LeanExtensionsRunner, Stage, hooks_of


class Boom(Exception):
    pass


class Other(Exception):
    pass


Log = list[str]
BEHAVIOURS = ("pass", "swallow", "replace")


def recorder(kind: str, label: str, log: Log, behaviour: str = "pass") -> SchemaExtension:
    """An extension whose on_operation hook of the given kind logs what it sees."""

    def on_error(error: BaseException) -> None:
        log.append(f"{label} saw {type(error).__name__}")
        if behaviour == "replace":
            raise Other(label)
        if behaviour == "pass":
            raise error

    if kind == "generator":

        class Generating(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                log.append(f"{label} in")
                try:
                    yield
                except Exception as error:
                    on_error(error)
                log.append(f"{label} out")

        return Generating()
    if kind == "async generator":

        class AsyncGenerating(SchemaExtension):
            async def on_operation(self) -> AsyncIterator[None]:
                log.append(f"{label} in")
                try:
                    yield
                except Exception as error:
                    on_error(error)
                log.append(f"{label} out")

        return AsyncGenerating()
    if kind == "function":

        class Calling(SchemaExtension):
            def on_operation(self) -> None:  # type: ignore[override]
                log.append(f"{label} called")

        return Calling()

    class Awaiting(SchemaExtension):
        async def on_operation(self) -> None:  # type: ignore[override]
            log.append(f"{label} awaited")

    return Awaiting()


async def run(manager: Any, log: Log, body_raises: bool) -> str:
    try:
        async with manager:
            log.append("body")
            if body_raises:
                raise Boom("body")
    except Exception as error:
        return f"raised {type(error).__name__}"
    return "returned"


KINDS = ("generator", "async generator", "function", "coroutine")


@pytest.mark.parametrize("body_raises", [False, True])
@pytest.mark.parametrize("kinds", list(itertools.product(KINDS, repeat=2)))
@pytest.mark.parametrize("behaviours", list(itertools.product(BEHAVIOURS, repeat=2)))
async def test_the_lean_stage_runs_hooks_as_strawberry_does(
    kinds: tuple[str, str], behaviours: tuple[str, str], body_raises: bool
) -> None:
    def build(log: Log) -> list[SchemaExtension]:
        return [
            recorder(kind, f"e{i}", log, behaviour)
            for i, (kind, behaviour) in enumerate(zip(kinds, behaviours, strict=True))
        ]

    theirs: Log = []
    their_outcome = await run(OperationContextManager(build(theirs)), theirs, body_raises)
    ours: Log = []
    our_outcome = await run(Stage(build(ours), "on_operation"), ours, body_raises)
    assert (ours, our_outcome) == (theirs, their_outcome)
    assert ours.index("body") == 2  # both hooks ran before the body


async def test_an_error_meets_the_open_hooks_in_reverse_order() -> None:
    log: Log = []
    extensions = [recorder("generator", "outer", log), recorder("async generator", "inner", log)]
    assert await run(Stage(extensions, "on_operation"), log, body_raises=True) == "raised Boom"
    assert log == ["outer in", "inner in", "body", "inner saw Boom", "outer saw Boom"]


async def test_a_hook_that_swallows_the_error_hides_it_from_the_outer_hooks_only() -> None:
    log: Log = []
    extensions = [
        recorder("generator", "outer", log),
        recorder("generator", "inner", log, "swallow"),
    ]
    # As in Strawberry, the operation still fails: a hook cannot make an error vanish.
    assert await run(Stage(extensions, "on_operation"), log, body_raises=True) == "raised Boom"
    assert log == ["outer in", "inner in", "body", "inner saw Boom", "inner out", "outer out"]


async def test_a_replaced_error_is_what_the_outer_hooks_see() -> None:
    log: Log = []
    extensions = [
        recorder("generator", "outer", log),
        recorder("generator", "inner", log, "replace"),
    ]
    assert await run(Stage(extensions, "on_operation"), log, body_raises=True) == "raised Other"
    assert log == ["outer in", "inner in", "body", "inner saw Boom", "outer saw Other"]


async def test_a_hook_failing_on_entry_closes_the_hooks_entered_before_it() -> None:
    log: Log = []

    class Refusing(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            raise Boom("entry")
            yield  # pragma: no cover - makes this a generator hook

    stage = Stage([recorder("generator", "first", log), Refusing()], "on_operation")
    assert await run(stage, log, body_raises=False) == "raised Boom"
    assert log == ["first in", "first saw Boom"]


def test_the_sync_form_refuses_an_async_hook_and_runs_sync_ones() -> None:
    log: Log = []
    with Stage(
        [recorder("generator", "sync", log), recorder("function", "f", log)], "on_operation"
    ):
        log.append("body")
    assert log == ["sync in", "f called", "body", "sync out"]

    stage = Stage(
        [recorder("generator", "first", log), recorder("coroutine", "c", log)], "on_operation"
    )
    with pytest.raises(RuntimeError, match="failed to complete synchronously"):
        stage.__enter__()
    assert log[-1] == "first saw RuntimeError"


async def test_stream_result_hooks_receive_the_result() -> None:
    seen: list[object] = []

    class Watching(SchemaExtension):
        def on_stream_result(self, result: object) -> Iterator[None]:
            seen.append(result)
            yield

    result = object()
    runner = LeanExtensionsRunner(None, [Watching()])  # type: ignore[arg-type]
    async with runner.on_stream_result(result):
        pass
    assert seen == [result]


def test_a_class_keeping_the_default_hook_has_none() -> None:
    class Quiet(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            yield

    assert hooks_of(Quiet, "on_operation") is None
    found = hooks_of(Quiet, "on_execute")
    assert found is not None
    assert found[0] is Quiet.on_execute


async def test_a_schema_on_the_lean_runner_answers_with_its_extensions_results() -> None:
    class Counting(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            yield
            self.execution_context.extensions_results["counted"] = 1

        def get_results(self) -> dict[str, Any]:
            return {"mine": True}

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self) -> str:
            return "world"

    class Lean(strawberry.Schema):
        def create_extensions_runner(self, execution_context: Any, extensions: Any) -> Any:
            return LeanExtensionsRunner(execution_context, extensions)

    result = await Lean(query=Query, extensions=[Counting]).execute("{ hello }")
    assert result.data == {"hello": "world"}
    assert result.extensions == {"mine": True, "counted": 1}
