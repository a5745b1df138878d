"""The audit log's pure rules: snapshots keep no secret, labels parse back, diffs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.audit import (
    SECRET_KEYS,
    ActorKind,
    AuditActor,
    changed_fields,
    decode,
    encode,
    is_secret_key,
    parse_actor,
    snapshot,
)
from domain.errors import DomainError


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Account:
    email: str
    password_hash: str
    colour: Colour
    born: date


def test_snapshot_renders_domain_values_and_drops_secrets() -> None:
    at = datetime(2026, 11, 23, 6, tzinfo=UTC)
    value = {
        "account": Account("a@example.com", "$argon2id$v=19$secret", Colour.RED, date(1990, 1, 2)),
        "tags": {"b", "a"},
        "window": (at, timedelta(minutes=15)),
        "passwordHash": "x",
        "nested": [{"token": "occ_secret", "code": "123456", "name": "kept"}],
    }

    assert snapshot(value) == {
        "account": {"email": "a@example.com", "colour": "red", "born": "1990-01-02"},
        "tags": ["a", "b"],
        "window": ["2026-11-23T06:00:00+00:00", 900.0],
        "nested": [{"name": "kept"}],
    }


@pytest.mark.parametrize(
    "key", ["password", "password_hash", "passwordHash", "token_hash", "Secret", "push-token"]
)
def test_secret_keys_are_recognised_in_any_spelling(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["email", "token_id", "name", "role", "code_sent_at"])
def test_ordinary_keys_are_kept(key: str) -> None:
    assert not is_secret_key(key)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([*SECRET_KEYS, "a", "b", "Password_Hash"]), inner, max_size=4
        )
    ),
    max_leaves=20,
)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_no_secret_key_survives_at_any_depth(value: dict[str, Any]) -> None:
    stored = decode(encode(value))
    assert stored is not None
    assert not any(is_secret_key(k) for k in _keys(stored))
    assert stored == snapshot(value)  # and it survives the JSON round trip unchanged
    assert json.loads(json.dumps(stored)) == stored


@given(
    st.sampled_from(list(ActorKind)),
    st.integers(min_value=1, max_value=2**63 - 1),
)
def test_an_actor_label_parses_back(kind: ActorKind, number: int) -> None:
    actor = AuditActor(
        kind,
        user_id=number if kind is ActorKind.USER else None,
        token_id=number if kind is ActorKind.TOKEN else None,
    )
    assert parse_actor(actor.label) == actor


@pytest.mark.parametrize(
    "raw", ["", "user:", "user:-1", "token:x", "robot:1", "user:1:2", f"user:{2**63}"]
)
def test_a_bad_actor_is_refused_precisely(raw: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_actor(raw)
    assert refused.value.field == "actor"


def test_changed_fields_keep_only_what_differs() -> None:
    before = {"name": "Alice", "department": None, "role": "basic"}
    after = {"name": "Alice", "department": "Research", "role": "basic", "new": 1}
    assert changed_fields(before, after) == (
        {"department": None, "new": None},
        {"department": "Research", "new": 1},
    )
    assert changed_fields(before, before) == ({}, {})
