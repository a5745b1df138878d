"""The audit log's rules: what an event says, and that no secret ever goes into one.

An event records who changed what, when, and the relevant fields before and after. The
snapshots are plain JSON values; `snapshot` makes them from domain values and drops
every key that names a secret, wherever it is nested, so a caller that passes a whole
record cannot leak a password hash, a token or a one-time code into the log.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from typing import Any

from domain.errors import invalid

MAX_ENTITY_ID = 100
MAX_CLIENT = 64
MAX_ID = 2**63 - 1  # the database's integer range

# Keys whose values are secrets (or would help guess one). Compared lower-cased with
# underscores and dashes removed, so `passwordHash` and `password_hash` are both caught.
SECRET_KEYS = frozenset(
    {
        "password",
        "passwordhash",
        "newpassword",
        "currentpassword",
        "hash",
        "secret",
        "secrethash",
        "token",
        "tokenhash",
        "pushtoken",
        "credential",
        "code",
        "codehash",
        "otp",
        "jwt",
    }
)


class AuditEntity(StrEnum):
    BOOKING = "booking"
    USER = "user"
    LOCATION = "location"
    ROOM = "room"
    IP_RULE = "ip_rule"
    API_TOKEN = "api_token"  # noqa: S105  (a kind of thing, not a secret)


class ActorKind(StrEnum):
    """`user`: a signed-in person; `token`: an API token; `system`: the operator's CLI or
    a job; `anonymous`: somebody signing up without an account yet."""

    USER = "user"
    TOKEN = "token"  # noqa: S105  (a kind of actor, not a secret)
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class AuditActor:
    kind: ActorKind
    user_id: int | None = None
    token_id: int | None = None

    @property
    def label(self) -> str:
        """How filters and exports name the actor: `user:7`, `token:3`, `system`."""
        if self.kind is ActorKind.USER:
            return f"user:{self.user_id}"
        if self.kind is ActorKind.TOKEN:
            return f"token:{self.token_id}"
        return self.kind.value


SYSTEM_ACTOR = AuditActor(ActorKind.SYSTEM)
ANONYMOUS_ACTOR = AuditActor(ActorKind.ANONYMOUS)


def user_actor(user_id: int) -> AuditActor:
    return AuditActor(ActorKind.USER, user_id=user_id)


def parse_actor(raw: str, field: str = "actor") -> AuditActor:
    """The inverse of `AuditActor.label`, for filters; a precise error otherwise."""
    text = raw.strip().lower()
    if text in (ActorKind.SYSTEM.value, ActorKind.ANONYMOUS.value):
        return AuditActor(ActorKind(text))
    kind, _, number = text.partition(":")
    digits = number.isascii() and number.isdigit() and len(number) <= len(str(MAX_ID))
    if kind in ("user", "token") and digits and int(number) <= MAX_ID:
        if kind == "user":
            return user_actor(int(number))
        return AuditActor(ActorKind.TOKEN, token_id=int(number))
    raise invalid("actor must be user:<id>, token:<id>, system or anonymous", field)


@dataclass(frozen=True)
class AuditEvent:
    """One recorded change. `before` is None for a creation, `after` None for a removal."""

    id: int
    at: datetime
    actor: AuditActor
    entity: AuditEntity
    entity_id: str
    action: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    client: str | None = None


def is_secret_key(key: str) -> bool:
    return key.lower().replace("_", "").replace("-", "") in SECRET_KEYS


def snapshot(value: Any) -> Any:
    """`value` as plain JSON data: dataclasses become objects, enums their values,
    instants and dates ISO strings, sets sorted lists; secret keys are left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): snapshot(v) for k, v in value.items() if not is_secret_key(str(k))}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset):
        return sorted((snapshot(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [snapshot(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def encode(value: Mapping[str, Any] | None) -> str | None:
    """The stored form of a snapshot: compact JSON with sorted keys."""
    if value is None:
        return None
    return json.dumps(snapshot(value), sort_keys=True, separators=(",", ":"))


def decode(stored: str | None) -> Mapping[str, Any] | None:
    if stored is None:
        return None
    loaded = json.loads(stored)
    assert isinstance(loaded, dict), "audit snapshots are JSON objects"
    return loaded


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, on both sides: what an update really changed."""
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
