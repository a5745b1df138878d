"""The schema extensions that enforce GraphQLLimits on every operation, HTTP or WebSocket.

`LimitsGate` must come after any ParserCache and ValidationCache in the schema's
extension list (tests/schema/test_cost_limit.py checks it is last): it uses the cached
validation when there is one and validates itself otherwise, then prices the operation.
A refusal replaces the document by a placeholder that is never executed, so a refused
operation costs no parsing, no resolver and no SQL statement.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    DirectiveNode,
    GraphQLError,
    ValidationContext,
    parse,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway.schema.limits import GraphQLLimits, refusal
from gateway.schema.limits_cost import operation_cost
from gateway.schema.limits_persisted import PersistedDocuments

# What a refused operation parses instead (a parser cache parses `query` itself).
PLACEHOLDER_TEXT = "{ __typename }"
PLACEHOLDER = parse(PLACEHOLDER_TEXT)
# graphql-core appends its suggestions as a last sentence: " Did you mean 'x'?"
SUGGESTION = re.compile(r"\s*Did you mean .*\?$", re.DOTALL)
# Set by GatewaySchema.execute around one operation; a query's execution gets the limit.
operation_deadline: ContextVar[asyncio.Timeout | None] = ContextVar(
    "operation_deadline", default=None
)
# JavaScript clients read numbers above this as approximations.
MAX_REPORTED = 2**53 - 1


class LimitsGate(SchemaExtension):
    """Persisted documents, the document's length, its cost, suggestions and the
    execution deadline, for one operation."""

    def __init__(self, *, limits: GraphQLLimits, documents: PersistedDocuments) -> None:
        self._limits = limits
        self._documents = documents
        self._refusal: GraphQLError | None = None
        self._trusted: str | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        resolved = self._documents.resolve(context.query, context.operation_extensions)
        context.query = resolved.query
        self._trusted = resolved.digest
        if resolved.document is not None:  # trusted: parsed once, at its first use
            context.graphql_document = resolved.document
        self._refusal = resolved.error or self._length(resolved.query)
        if self._refusal is not None:
            context.query = PLACEHOLDER_TEXT
            context.graphql_document = PLACEHOLDER
            context._provided_operation_name = None  # the placeholder's one operation
        yield
        if not self._limits.suggestions:
            _hide_suggestions(context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        if not self._limits.suggestions:
            _hide_suggestions(result)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        known = self._documents.validated
        if self._refusal is not None:
            context.pre_execution_errors = [self._refusal]
        elif self._trusted is not None and self._trusted in known:
            context.pre_execution_errors = list(known[self._trusted])
        elif context.pre_execution_errors is None and context.graphql_document is not None:
            context.pre_execution_errors = validate(
                context.schema._schema,
                context.graphql_document,
                context.validation_rules,
                hide_suggestions=not self._limits.suggestions,
            )
        if self._trusted is not None and context.pre_execution_errors is not None:
            known.setdefault(self._trusted, list(context.pre_execution_errors))
        if not context.pre_execution_errors and context.graphql_document is not None:
            cost = operation_cost(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
            )
            if cost > self._limits.max_cost:
                context.pre_execution_errors = [self._too_costly(cost)]
        yield

    def on_execute(self) -> Iterator[None]:
        deadline = operation_deadline.get()
        if deadline is not None and self.execution_context.operation_type is OperationType.QUERY:
            loop = asyncio.get_running_loop()
            deadline.reschedule(loop.time() + self._limits.timeout_ms / 1000)
        yield

    def _length(self, query: str | None) -> GraphQLError | None:
        limit = self._limits.max_document_chars
        if query is None or len(query) <= limit:
            return None
        return refusal(
            f"The document is {len(query)} characters long; at most {limit} are accepted "
            "(comments and white space count)",
            "DOCUMENT_TOO_LARGE",
            length=len(query),
            limit=limit,
        )

    def _too_costly(self, cost: int) -> GraphQLError:
        limit = self._limits.max_cost
        return refusal(
            f"The operation would cost {cost} (each field 1, times the items of the lists "
            f"around it); at most {limit} is accepted: ask for fewer items or less nesting",
            "QUERY_TOO_COSTLY",
            cost=min(cost, MAX_REPORTED),
            limit=limit,
        )


class TimedSchema(strawberry.Schema):
    """A schema whose queries stop after `limits.timeout_ms`."""

    limits: GraphQLLimits = GraphQLLimits()

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """A query's execution stops after `limits.timeout_ms` with a TIMEOUT error
        (LimitsGate sets the deadline once the operation is known to be a query: a
        mutation half done is not cut off)."""
        try:
            async with asyncio.timeout(None) as deadline:
                token = operation_deadline.set(deadline)
                try:
                    return await super().execute(
                        query,
                        variable_values,
                        context_value,
                        root_value,
                        operation_name,
                        allowed_operation_types,
                        operation_extensions,
                    )
                finally:
                    operation_deadline.reset(token)
        except TimeoutError:
            return ExecutionResult(data=None, errors=[timeout_error(self.limits.timeout_ms)])


def timeout_error(limit_ms: int) -> GraphQLError:
    return refusal(
        f"The operation did not finish within {limit_ms} ms and was stopped",
        "TIMEOUT",
        limit=limit_ms,
    )


def _hide_suggestions(result: object) -> None:
    for error in getattr(result, "errors", None) or ():
        error.message = SUGGESTION.sub("", error.message)


def directive_limit(limit: int) -> type[ASTValidationRule]:
    """A validation rule refusing documents with more than `limit` directives."""

    class MaxDirectives(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_args: object) -> None:
            self.count += 1
            if self.count == limit + 1:
                self.report_error(
                    GraphQLError(
                        f"The document has more than {limit} directives",
                        node,
                        extensions={"code": "TOO_MANY_DIRECTIVES", "limit": limit},
                    )
                )

    return MaxDirectives
