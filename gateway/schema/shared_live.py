"""liveOccupancy executed and serialised once per distinct selection per process.

A subscription document that is just `liveOccupancy(locationId: …) { … }` is keyed by
its text, variables and operation name. The first subscriber of a key starts one
execution of it (as an internal caller that sees the whole tree); every subscriber of
the key receives that execution's results, whose JSON is encoded once (the view's
`encode_json` reuses it). Each subscriber is still authorised as itself: before joining
(a refusal runs the ordinary per-subscriber execution, which renders the error exactly
as always) and afterwards, as LiveOccupancy does (token expiry, recheck, revocation).
Anything else, fragments or several fields included, runs the ordinary way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableNode,
    parse,
)
from strawberry.types import ExecutionResult

from domain.errors import DomainError
from domain.users import Actor, Role
from gateway.schema.context import Context
from gateway.schema.ids import location_ref
from gateway.services.authz import Principal
from gateway.services.live_occupancy import TICK_SECONDS, still_valid
from gateway.services.mailboxes import Mailboxes

log = logging.getLogger(__name__)
FIELD = "liveOccupancy"
# The shared execution's caller: it may see everything; subscribers are checked apart.
SYSTEM = Principal(actor=Actor(0, "live-occupancy@occupi.internal", Role.ADMIN))
ENCODED_KEPT = 256

Key = tuple[str, str, str | None]
# Runs one execution of a query, as the given context's caller.
Start = Callable[[Context, str, dict[str, Any] | None, str | None], Awaitable[AsyncIterator[Any]]]


@dataclass(frozen=True)
class LivePlan:
    key: Key
    location: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


@lru_cache(maxsize=256)
def _document(query: str) -> DocumentNode | None:
    try:
        return parse(query)
    except GraphQLError:
        return None


def _argument(field: FieldNode, variables: dict[str, Any] | None) -> str | None:
    value = next((a.value for a in field.arguments or () if a.name.value == "locationId"), None)
    if isinstance(value, VariableNode):
        raw = (variables or {}).get(value.name.value)
    elif isinstance(value, StringValueNode | IntValueNode):
        raw = value.value
    else:
        return None
    return str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None


def live_plan(
    query: str | None, variables: dict[str, Any] | None, operation_name: str | None
) -> LivePlan | None:
    """The sharing key of a plain liveOccupancy subscription; None for anything else."""
    document = _document(query) if query and FIELD in query else None
    if document is None or len(document.definitions) != 1:
        return None
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode) or operation.directives:
        return None
    named = operation.name.value if operation.name else None
    if operation.operation is not OperationType.SUBSCRIPTION or operation_name not in (None, named):
        return None
    selections = operation.selection_set.selections
    field = selections[0] if len(selections) == 1 else None
    if not isinstance(field, FieldNode) or field.name.value != FIELD or field.directives:
        return None
    location = _argument(field, variables)
    if location is None or query is None:
        return None
    canonical = json.dumps(variables or {}, sort_keys=True, default=str)
    return LivePlan((query, canonical, operation_name), location, query, variables, operation_name)


class _Execution:
    """One running execution of a key and its subscribers."""

    def __init__(
        self, owner: SharedLive, start: Awaitable[AsyncIterator[Any]], now: Callable[[], datetime]
    ) -> None:
        self.slots: Mailboxes[Any] = Mailboxes(owner.tick, now)
        self.latest: Any = None
        self.results = 0
        self.done = False
        self._owner = owner
        self.task = asyncio.create_task(self._run(start))

    async def _run(self, start: Awaitable[AsyncIterator[Any]]) -> None:
        try:
            source = await start
            async with contextlib.aclosing(source):  # type: ignore[type-var]
                async for result in source:
                    self.results += 1
                    self._owner.remember(result)
                    self.latest = result
                    self.slots.offer(result)
        except Exception:
            log.exception("a shared live occupancy execution failed")
        finally:
            self.done = True
            self.slots.wake_all()


class SharedLive:
    def __init__(self, start: Start, *, tick: float = TICK_SECONDS) -> None:
        self._start = start
        self.tick = tick
        self._executions: dict[Key, _Execution] = {}
        self._encoded: OrderedDict[int, tuple[object, str]] = OrderedDict()

    def executions(self) -> int:
        """Shared executions running now (one per distinct selection)."""
        return len(self._executions)

    def subscribers(self) -> int:
        return sum(len(e.slots) for e in self._executions.values())

    def results(self, key: Key) -> int:
        execution = self._executions.get(key)
        return execution.results if execution else 0

    def remember(self, result: Any) -> None:
        data = getattr(result, "data", None)
        if data is not None and not getattr(result, "errors", None):
            self._encoded[id(data)] = (data, json.dumps(data, separators=(",", ":")))
            while len(self._encoded) > ENCODED_KEPT:
                self._encoded.popitem(last=False)

    def encoded(self, data: object) -> str | None:
        """The JSON of a shared result's data, encoded once for all its subscribers."""
        found = self._encoded.get(id(data))
        return found[1] if found is not None and found[0] is data else None

    async def join(
        self, plan: LivePlan, context: Context, principal: Principal
    ) -> AsyncGenerator[Any, None] | None:
        """The shared stream for this subscriber, or None when it may not watch (the
        caller then runs the ordinary execution, which renders the refusal)."""
        try:
            location_id = location_ref(plan.location, "locationId")
            await context.app.live_occupancy.authorise(principal, location_id)
        except DomainError:
            return None
        execution = self._executions.get(plan.key)
        if execution is None or execution.done:
            upstream = replace(context, connection_principal=SYSTEM)
            start = self._start(upstream, plan.query, plan.variables, plan.operation_name)
            execution = _Execution(self, start, context.app.clock.now)
            self._executions[plan.key] = execution
        return self._follow(plan.key, execution, context, principal)

    async def _follow(
        self, key: Key, execution: _Execution, context: Context, principal: Principal
    ) -> AsyncGenerator[Any, None]:
        slot = execution.slots.add()
        if execution.latest is not None:
            slot.offer(execution.latest)
        recheck = context.app.live_occupancy.recheck_seconds
        slot.checked(principal.expires_at, recheck)
        try:
            while True:
                await slot.ready.wait()
                try:
                    principal = await slot.recheck(principal, context.app.authenticate, recheck)
                    still_valid(principal, context.app.clock.now())
                except DomainError as error:
                    yield _refusal(error)
                    return
                result = slot.take()
                if result is not None:
                    yield result
                elif execution.done:
                    return
        finally:
            await execution.slots.discard(slot)
            if not execution.slots and self._executions.get(key) is execution:
                del self._executions[key]
                execution.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await execution.task


def _refusal(error: DomainError) -> ExecutionResult:
    extensions = {"code": error.code.value}
    if error.field:
        extensions["field"] = error.field
    shaped = GraphQLError(error.message, path=[FIELD], extensions=extensions)
    return ExecutionResult(data=None, errors=[shaped])
