"""The edge check on GraphQL input: every string in the variables and in the document's
literal arguments passes `domain.input_scan` before validation, so that a lone surrogate
or a NUL never reaches a resolver, the database or a log line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ListValueNode,
    ObjectFieldNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from domain.errors import DomainError
from domain.input_scan import InputLimits, scan


class InputRules(SchemaExtension):
    """Refuses an operation whose input breaks the text rule or the string and list caps
    with one INVALID_INPUT error naming the field; validation and execution never run."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        refusal = _refusal(
            context.query,
            context.operation_name,
            context.variables,
            context.graphql_document,
            _limits(context.context),
        )
        if refusal is not None:
            extensions = {"code": refusal.code.value}
            if refusal.field:
                extensions["field"] = refusal.field
            # Set before validation runs: Strawberry then skips it and refuses the operation.
            context.pre_execution_errors = [GraphQLError(refusal.message, extensions=extensions)]
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            document = self.execution_context.graphql_document
            uses = _Literals(InputLimits()).uses_in(document)
            result.errors = [_with_field(e, uses) for e in errors]  # type: ignore[union-attr]


# graphql-core's wording for a variable its scalar refused (a bounded DateTime, say).
_VARIABLE_ERROR = re.compile(r"Variable '\$(\w+)' has invalid value(?: at \.?([\w.\[\]]*))?:")


def _with_field(error: GraphQLError, uses: dict[str, str]) -> GraphQLError:
    """An INVALID_INPUT refusal of a variable's value names the input field (or, for a
    plain value, the argument) it was given for, as errors of the use cases do."""
    extensions = error.extensions or {}
    found = _VARIABLE_ERROR.match(error.message)
    if extensions.get("code") != "INVALID_INPUT" or "field" in extensions or found is None:
        return error
    names = re.findall(r"[A-Za-z_]\w*", found.group(2) or "")
    field = names[-1] if names else uses.get(found.group(1))
    if field is None:
        return error
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**extensions, "field": field},
    )


def _limits(context: object) -> InputLimits:
    app = getattr(context, "app", None)
    limits = getattr(app, "input_limits", None)
    return limits if isinstance(limits, InputLimits) else InputLimits()


def _refusal(
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    document: DocumentNode | None,
    limits: InputLimits,
) -> DomainError | None:
    request = {"query": query or "", "operationName": operation_name or ""}
    found = scan(request, InputLimits(max_string=2**62, max_list=limits.max_list))
    literals = _Literals(limits)
    if document is not None:
        visit(document, literals)
    given = variables if isinstance(variables, dict) else {}
    for name, value in given.items():
        found = found or scan(value, limits, (f"${name}",))
        if found is not None and found.field == f"${name}":
            # A plain value: the field is the argument or input field it is given to.
            found = DomainError(found.code, found.message, field=literals.uses.get(name))
    return found or literals.found


class _Literals(Visitor):
    """The first literal argument (or input field) that breaks the limits."""

    def __init__(self, limits: InputLimits) -> None:
        super().__init__()
        self.limits = limits
        self.found: DomainError | None = None
        self.uses: dict[str, str] = {}  # variable -> the first argument or field it fills

    def uses_in(self, document: DocumentNode | None) -> dict[str, str]:
        if document is not None:
            visit(document, self)
        return self.uses

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self._check(node.name.value, node.value)

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        self._check(node.name.value, node.value)

    def _check(self, name: str, value: ValueNode) -> None:
        if isinstance(value, VariableNode):
            self.uses.setdefault(value.name.value, name)
        if self.found is not None:
            return
        if isinstance(value, StringValueNode):
            self.found = scan({name: value.value}, self.limits)
        elif isinstance(value, ListValueNode):
            if len(value.values) > self.limits.max_list:
                self.found = scan({name: [None] * len(value.values)}, self.limits)
            else:
                strings = [v.value for v in value.values if isinstance(v, StringValueNode)]
                self.found = scan({name: strings}, self.limits)
