"""JWT access tokens: what they carry, and every way a token is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from domain.errors import DomainError, ErrorCode
from domain.users import Role, User
from gateway.auth.tokens import ALLOWED_ALGORITHMS, JwtCodec
from gateway.services.records import TokenClaims
from tests.support.tokens import claims_for, sign, unsigned

# 64 bytes: long enough for HS512 without PyJWT's short-key warning.
SECRET = "unit-test-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
OTHER_SECRET = "another-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKL"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
LIFETIME = timedelta(hours=24)
ALICE = User(id=7, email="alice@example.com", name="Alice", role=Role.BASIC)
ADMIN = User(id=1, email="admin@example.com", name="Admin", role=Role.ADMIN)

WRONG_ALGORITHM = "the token is signed with an algorithm this server does not accept"
BAD_CLAIMS = "the token's claims are malformed"
EXPIRED = "the token has expired; sign in again"


def codec(algorithm: str = "HS256", secret: str = SECRET) -> JwtCodec:
    return JwtCodec(secret, lifetime=LIFETIME, algorithm=algorithm)


def issue(user: User = ALICE, *, now: datetime = NOW, algorithm: str = "HS256") -> str:
    return codec(algorithm).issue(user.as_actor(), now).token


def rejection(token: str, *, now: datetime = NOW, verifier: JwtCodec | None = None) -> str:
    """The reason `verifier` gives for refusing `token`; fails if it accepts it."""
    with pytest.raises(DomainError) as refused:
        (verifier or codec()).decode(token, now)
    assert refused.value.code is ErrorCode.UNAUTHENTICATED
    assert refused.value.field is None
    return refused.value.message


def crafted(**overrides: Any) -> str:
    return sign(claims_for(ALICE, NOW, **overrides), secret=SECRET)


def without(claim: str) -> str:
    claims = claims_for(ALICE, NOW)
    del claims[claim]
    return sign(claims, secret=SECRET)


# --- issuing and reading back ---------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALLOWED_ALGORITHMS)
@pytest.mark.parametrize("user", [ALICE, ADMIN], ids=["basic", "admin"])
def test_a_token_round_trips(algorithm: str, user: User) -> None:
    issued = codec(algorithm).issue(user.as_actor(), NOW)

    assert issued.expires_at == NOW + LIFETIME
    assert jwt.get_unverified_header(issued.token)["alg"] == algorithm
    assert codec(algorithm).decode(issued.token, NOW) == TokenClaims(
        user_id=user.id,
        email=user.email,
        role=user.role,
        expires_at=NOW + LIFETIME,
        issued_at=NOW,
    )


def test_a_token_carries_the_claims_legacy_clients_read() -> None:
    claims = jwt.decode(issue(), options={"verify_signature": False})

    assert claims == {
        "sub": "7",
        "email": "alice@example.com",
        "role": "basic",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + LIFETIME).timestamp()),
        "iss": "occupi-gateway",
        "aud": "occupi-gateway",
    }


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(datetime(2001, 1, 1, tzinfo=UTC), id="long-ago"),
        pytest.param(NOW, id="fixture-day"),
        pytest.param(datetime(2100, 1, 1, tzinfo=UTC), id="far-future"),
    ],
)
def test_only_the_passed_now_matters_not_the_wall_clock(now: datetime) -> None:
    """The codec is given `now`; issued and checked at the same instant, a token is valid
    whatever the machine's own clock says (iat, like exp, must be judged against `now`)."""
    assert codec().decode(issue(now=now), now).user_id == ALICE.id


@pytest.mark.parametrize(
    ("elapsed", "valid"),
    [
        (timedelta(0), True),
        (LIFETIME - timedelta(seconds=1), True),
        (LIFETIME, False),
        (LIFETIME + timedelta(seconds=1), False),
        (timedelta(days=365), False),
    ],
)
def test_a_token_expires_after_its_lifetime(elapsed: timedelta, valid: bool) -> None:
    token = issue()
    later = NOW + elapsed

    if valid:
        assert codec().decode(token, later).user_id == ALICE.id
    else:
        assert rejection(token, now=later) == EXPIRED


def test_the_lifetime_is_configurable() -> None:
    short = JwtCodec(SECRET, lifetime=timedelta(minutes=5))
    issued = short.issue(ALICE.as_actor(), NOW)

    assert issued.expires_at == NOW + timedelta(minutes=5)
    assert short.decode(issued.token, NOW + timedelta(minutes=4)).user_id == ALICE.id
    assert rejection(issued.token, now=NOW + timedelta(minutes=5), verifier=short) == EXPIRED


# --- refusals ---------------------------------------------------------------------------------


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = codec(secret=OTHER_SECRET).issue(ALICE.as_actor(), NOW).token
    assert rejection(token) == "the token's signature is invalid"


def test_a_tampered_token_is_refused() -> None:
    header, _, signature = issue().split(".")
    promoted = unsigned(claims_for(ALICE, NOW, role="admin")).split(".")[1]
    assert rejection(f"{header}.{promoted}.{signature}") == "the token's signature is invalid"


@pytest.mark.parametrize("user", [ALICE, ADMIN], ids=["basic", "admin"])
def test_an_unsigned_alg_none_token_is_refused(user: User) -> None:
    assert rejection(unsigned(claims_for(user, NOW))) == WRONG_ALGORITHM


@pytest.mark.parametrize(
    ("signed_with", "configured"),
    [
        (signed, configured)
        for signed in ALLOWED_ALGORITHMS
        for configured in ALLOWED_ALGORITHMS
        if signed != configured
    ],
)
def test_only_the_configured_algorithm_is_accepted(signed_with: str, configured: str) -> None:
    token = issue(algorithm=signed_with)
    assert rejection(token, verifier=codec(configured)) == WRONG_ALGORITHM


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "iss", "aud"])
def test_a_token_missing_a_registered_claim_is_refused(claim: str) -> None:
    assert (
        rejection(without(claim)) == f'the token is malformed: Token is missing the "{claim}" claim'
    )


@pytest.mark.parametrize("claim", ["email", "role"])
def test_a_token_missing_an_own_claim_is_refused(claim: str) -> None:
    assert rejection(without(claim)) == BAD_CLAIMS


@pytest.mark.parametrize("role", ["root", "ADMIN", "", None, 1])
def test_a_token_with_an_unknown_role_is_refused(role: object) -> None:
    assert rejection(crafted(role=role)) == BAD_CLAIMS


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"sub": "alice"}, BAD_CLAIMS, id="sub-not-a-number"),
        pytest.param({"sub": 7}, "the token is malformed: Subject must be a string", id="sub-int"),
        pytest.param({"iss": "someone-else"}, "the token is malformed: Invalid issuer", id="iss"),
        pytest.param(
            {"aud": "someone-else"}, "the token is malformed: Audience doesn't match", id="aud"
        ),
        pytest.param({"sub": "9" * 30}, BAD_CLAIMS, id="sub-30-digits"),
        pytest.param({"sub": str(2**31)}, BAD_CLAIMS, id="sub-beyond-int4"),
        pytest.param({"sub": "0"}, BAD_CLAIMS, id="sub-zero"),
        pytest.param({"sub": "-7"}, BAD_CLAIMS, id="sub-negative"),
        pytest.param({"sub": "\u0667"}, BAD_CLAIMS, id="sub-arabic-indic-digit"),
    ],
)
def test_a_token_with_malformed_claims_is_refused(overrides: dict[str, Any], message: str) -> None:
    assert rejection(crafted(**overrides)) == message


def test_a_token_whose_iat_is_not_a_number_is_refused() -> None:
    # PyJWT's own wording today; the codec's own wording once it checks iat against `now`.
    assert rejection(crafted(iat="yesterday")) in {
        "the token is malformed: Issued At claim (iat) must be an integer.",
        BAD_CLAIMS,
    }


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "the token is malformed: Not enough segments"),
        ("garbage", "the token is malformed: Not enough segments"),
        ("a.b.c", "the token is malformed: Invalid header padding"),
        ("Bearer", "the token is malformed: Not enough segments"),
    ],
)
def test_garbage_is_refused_as_malformed(token: str, message: str) -> None:
    assert rejection(token) == message


@pytest.mark.parametrize("algorithm", ["none", "RS256", "ES256", "hs256", "", "HS1024"])
def test_an_unsupported_algorithm_is_a_configuration_error(algorithm: str) -> None:
    with pytest.raises(
        ValueError, match=f"^{re.escape(f'unsupported JWT algorithm {algorithm!r}')}$"
    ):
        JwtCodec(SECRET, lifetime=LIFETIME, algorithm=algorithm)


def test_the_decoded_role_is_what_the_token_says() -> None:
    """The codec reports the claim; the database decides (see the schema tests)."""
    token = crafted(role="admin")
    assert codec().decode(token, NOW) == TokenClaims(
        7, "alice@example.com", Role.ADMIN, NOW + LIFETIME, NOW
    )


def test_issuer_and_audience_are_configurable_and_checked() -> None:
    ours = JwtCodec(SECRET, lifetime=LIFETIME, issuer="hq-gateway", audience="hq-apps")
    token = ours.issue(ALICE.as_actor(), NOW).token
    assert ours.decode(token, NOW).user_id == ALICE.id
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"]) == ("hq-gateway", "hq-apps")
    assert rejection(token) == "the token is malformed: Invalid issuer"
