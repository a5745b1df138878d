"""Mutations ask the write limits (gateway.services.write_limits) before they run: a
refused one is not executed and answers a RATE_LIMITED error with `retryAfter`, and over
HTTP status 429 with a `Retry-After` header."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.retry import RetryLater
from gateway.schema.context import Context


class WriteLimiter(SchemaExtension):
    """Runs after PerOperation (which knows the operation's caller)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if execution.operation_type is OperationType.MUTATION and isinstance(context, Context):
            try:
                await context.app.write_limits.admit_write(context.principal, context.client)
            except RetryLater as refusal:
                # A result set before execution makes Strawberry skip executing.
                execution.result = ExecutionResult(
                    data=None, errors=[GraphQLError(refusal.message, original_error=refusal)]
                )
                if context.response is not None:
                    context.response.status_code = 429
                    context.response.headers["Retry-After"] = str(refusal.retry_after)
        yield
