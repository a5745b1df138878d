"""Expected failures become typed errors with a stable code; everything else is masked."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

import gateway.schema.enums  # noqa: F401  (registers the enums)
from domain.errors import DomainError, ErrorCode
from domain.retry import retry_after_of

log = logging.getLogger("occupi.graphql")
T = TypeVar("T")

INTERNAL_MESSAGE = "Unexpected error; it has been logged."


@strawberry.type(description="An expected failure: a rule or a check said no.")
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None
    retry_after: int | None = strawberry.field(
        default=None,
        description="Seconds to wait before trying again; null when waiting will not help.",
    )

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(
            code=error.code,
            message=error.message,
            field=error.field,
            retry_after=retry_after_of(error),
        )


async def attempt(action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a mutation's use case; a DomainError becomes the payload's `errors`."""
    try:
        return await action(), []
    except DomainError as error:
        return None, [UserError.of(error)]


def _shape(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error  # syntax and validation errors are already precise
    if isinstance(original, DomainError):
        extensions: dict[str, object] = {"code": original.code.value}
        if original.field:
            extensions["field"] = original.field
        if (retry_after := retry_after_of(original)) is not None:
            extensions["retryAfter"] = retry_after
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=extensions,
        )
    log.error("unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        INTERNAL_MESSAGE,
        nodes=error.nodes,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL"},
    )


class ErrorPolicy(SchemaExtension):
    """DomainErrors keep their message and gain `extensions.code`; others are masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        _shape_all(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Subscriptions send each result from inside the operation: shape them one by one."""
        _shape_all(result)
        yield


def _shape_all(result: object) -> None:
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [_shape(e) for e in errors]  # type: ignore[attr-defined]
