"""JWT access tokens: HS256 by default, verified against a fixed algorithm list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from domain.errors import DomainError, ErrorCode
from domain.ids import MAX_ROW_ID
from domain.users import Actor, Role
from gateway.services.authz import EXPIRED_MESSAGE
from gateway.services.records import IssuedToken, TokenClaims

ALLOWED_ALGORITHMS = ("HS256", "HS384", "HS512")
ISSUER = "occupi-gateway"
AUDIENCE = "occupi-gateway"
# Tolerated difference between the issuer's clock and ours for iat and nbf.
CLOCK_SKEW_SECONDS = 60


def _rejected(message: str) -> DomainError:
    return DomainError(ErrorCode.UNAUTHENTICATED, message)


class JwtCodec:
    """Claims: sub (user id), email, role, iat, exp, iss, aud. The legacy clients read email
    and role. Decoding accepts only the fixed algorithm, this issuer and this audience,
    and a `sub` that can be a user's id (a positive 32-bit integer)."""

    def __init__(
        self,
        secret: str,
        *,
        lifetime: timedelta,
        algorithm: str = "HS256",
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
    ) -> None:
        if algorithm not in ALLOWED_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}")
        self._secret = secret
        self._lifetime = lifetime
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience

    def issue(self, actor: Actor, now: datetime) -> IssuedToken:
        expires = now + self._lifetime
        claims = {
            "sub": str(actor.user_id),
            "email": actor.email,
            "role": actor.role.value,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
        }
        token = jwt.encode(claims, self._secret, algorithm=self._algorithm)
        return IssuedToken(token=token, expires_at=expires)

    def decode(self, token: str, now: datetime) -> TokenClaims:
        try:
            # Time claims are checked below against the injected clock, not the system's.
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                audience=self._audience,
                options={
                    "require": ["sub", "exp", "iat", "iss", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise _rejected("the token's signature is invalid") from None
        except jwt.InvalidAlgorithmError:
            raise _rejected(
                "the token is signed with an algorithm this server does not accept"
            ) from None
        except jwt.PyJWTError as error:
            raise _rejected(f"the token is malformed: {error}") from None
        _check_times(claims, now.timestamp())
        try:
            return TokenClaims(
                user_id=_user_id(claims["sub"]),
                email=str(claims["email"]),
                role=Role(claims["role"]),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
                issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            )
        except (KeyError, ValueError, OverflowError, OSError):
            raise _rejected("the token's claims are malformed") from None


def _check_times(claims: dict[str, Any], now: float) -> None:
    if not all(isinstance(claims.get(c, 0), int) for c in ("exp", "iat", "nbf")):
        raise _rejected("the token's claims are malformed")
    if claims["exp"] <= now:
        raise _rejected(EXPIRED_MESSAGE)
    if claims["iat"] > now + CLOCK_SKEW_SECONDS or claims.get("nbf", 0) > now + CLOCK_SKEW_SECONDS:
        raise _rejected("the token is not valid yet")


def _user_id(sub: object) -> int:
    """A user id as `sub` carries it: ASCII digits naming a row the database can hold."""
    text = str(sub)
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ROW_ID):
        raise ValueError(f"sub {text[:40]!r} is not a user id")
    return int(text)
