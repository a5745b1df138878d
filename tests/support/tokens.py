"""Hand-made JWTs: the claims the gateway issues, signed (or not) however a test needs."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import jwt

from domain.users import User
from tests.conftest import JWT_SECRET

ISSUER = "occupi-gateway"
AUDIENCE = "occupi-gateway"
LIFETIME = timedelta(hours=24)
Claims = dict[str, Any]


def claims_for(user: User, now: datetime, **overrides: Any) -> Claims:
    """The claims the gateway puts in `user`'s token issued at `now`, with `overrides`."""
    claims: Claims = {
        "sub": str(user.id),
        "email": user.email,
        "role": user.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + LIFETIME).timestamp()),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    claims.update(overrides)
    return claims


def sign(claims: Claims, *, secret: str = JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _segment(value: Claims) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(claims: Claims) -> str:
    """An `alg: none` token: a header, the claims and an empty signature."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}."
