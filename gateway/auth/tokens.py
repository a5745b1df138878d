"""JWT access tokens: HS256 by default, verified against a fixed algorithm list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from domain.errors import DomainError, ErrorCode
from domain.users import Actor, Role
from gateway.services.authz import EXPIRED_MESSAGE
from gateway.services.records import IssuedToken, TokenClaims

ALLOWED_ALGORITHMS = ("HS256", "HS384", "HS512")
ISSUER = "occupi-gateway"
# Tolerated difference between the issuer's clock and ours for iat and nbf.
CLOCK_SKEW_SECONDS = 60


def _rejected(message: str) -> DomainError:
    return DomainError(ErrorCode.UNAUTHENTICATED, message)


class JwtCodec:
    """Claims: sub (user id), email, role, iat, exp, iss. The legacy clients read email and role."""

    def __init__(self, secret: str, *, lifetime: timedelta, algorithm: str = "HS256") -> None:
        if algorithm not in ALLOWED_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}")
        self._secret = secret
        self._lifetime = lifetime
        self._algorithm = algorithm

    def issue(self, actor: Actor, now: datetime) -> IssuedToken:
        expires = now + self._lifetime
        claims = {
            "sub": str(actor.user_id),
            "email": actor.email,
            "role": actor.role.value,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": ISSUER,
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
                issuer=ISSUER,
                options={
                    "require": ["sub", "exp", "iat", "iss"],
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
                user_id=int(claims["sub"]),
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
