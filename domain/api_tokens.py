"""API tokens for sensors and dashboards: named, scoped to a subtree and to read/ingest.

A token reads `occ_` followed by 43 URL-safe characters (256 random bits). The prefix
tells it apart from a user's JWT (which starts `eyJ` and holds two dots) before any
verification, so the two never go through each other's checks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import invalid
from domain.text import check_text

TOKEN_PREFIX = "occ_"  # noqa: S105  (a label, not a secret)
MAX_NAME = 100


class TokenScope(StrEnum):
    READ = "read"
    INGEST = "ingest"


def parse_scopes(raw: str, field: str = "scope") -> frozenset[TokenScope]:
    """`read`, `ingest` or `read,ingest` (any order, spaces allowed)."""
    parts = [p.strip().lower() for p in raw.split(",") if p.strip()]
    known = {s.value for s in TokenScope}
    wrong = [p for p in parts if p not in known]
    if wrong or not parts:
        raise invalid("scope must be read, ingest or read,ingest", field)
    return frozenset(TokenScope(p) for p in parts)


def check_token_name(name: str, field: str = "name") -> str:
    cleaned = check_text(name, field).strip()
    if not cleaned:
        raise invalid("a token needs a name", field)
    if len(cleaned) > MAX_NAME:
        raise invalid(f"a token name has at most {MAX_NAME} characters", field)
    return cleaned


def hash_token(token: str) -> str:
    """What is stored and looked up: the tokens are random, so a plain SHA-256 suffices
    (no salt or slow hash is needed against guessing 256 bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_api_token(credential: str) -> bool:
    return credential.startswith(TOKEN_PREFIX)


@dataclass(frozen=True)
class ApiToken:
    """A stored token (never its secret). `location_id` None: the whole tree."""

    id: int
    name: str
    location_id: int | None
    scopes: frozenset[TokenScope]
    created_at: datetime
    created_by: int | None = None
    revoked_at: datetime | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: TokenScope) -> bool:
        return not self.is_revoked and scope in self.scopes
