"""API token rules: scopes, names, the prefix that tells them from JWTs, hashing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.api_tokens import (
    ApiToken,
    TokenScope,
    check_token_name,
    hash_token,
    looks_like_api_token,
    parse_scopes,
)
from domain.errors import DomainError, ErrorCode

READ, INGEST = TokenScope.READ, TokenScope.INGEST


@pytest.mark.parametrize(
    ("raw", "scopes"),
    [
        ("read", {READ}),
        ("ingest", {INGEST}),
        ("read,ingest", {READ, INGEST}),
        (" Ingest , read", {READ, INGEST}),
    ],
)
def test_scopes_parse(raw: str, scopes: set[TokenScope]) -> None:
    assert parse_scopes(raw) == scopes


@pytest.mark.parametrize("raw", ["", ",", "write", "read,write", "read;ingest"])
def test_other_scopes_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_scopes(raw)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, "scope")


def test_names_are_trimmed_and_bounded() -> None:
    assert check_token_name("  Lobby sensor ") == "Lobby sensor"
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(DomainError):
            check_token_name(bad)


def test_api_tokens_are_told_apart_from_jwts_by_their_prefix() -> None:
    assert looks_like_api_token("occ_abc")
    assert not looks_like_api_token("eyJhbGciOiJIUzI1NiJ9.e30.sig")
    assert hash_token("occ_abc") == hash_token("occ_abc") != hash_token("occ_abd")
    assert len(hash_token("occ_abc")) == 64


def test_a_revoked_token_allows_nothing() -> None:
    token = ApiToken(1, "t", None, frozenset({READ}), datetime(2026, 1, 1, tzinfo=UTC))
    assert token.allows(READ)
    assert not token.allows(INGEST)
    revoked = ApiToken(1, "t", None, frozenset({READ}), token.created_at, None, token.created_at)
    assert not revoked.allows(READ)
