"""Argon2id password hashing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from gateway.auth.passwords import Argon2Hasher

PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def hasher() -> Argon2Hasher:
    """Cheap parameters: the tests are about behaviour, not about cost."""
    return Argon2Hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_the_default_hasher_uses_argon2id_with_the_library_defaults() -> None:
    hashed = Argon2Hasher().hash(PASSWORD)

    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert Argon2Hasher().verify(hashed, PASSWORD) is True


def test_an_injected_hasher_sets_the_parameters(hasher: Argon2Hasher) -> None:
    assert hasher.hash(PASSWORD).startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_hashes_are_salted(hasher: Argon2Hasher) -> None:
    first, second = hasher.hash(PASSWORD), hasher.hash(PASSWORD)

    assert first != second
    assert PASSWORD not in first
    assert hasher.verify(first, PASSWORD) is True
    assert hasher.verify(second, PASSWORD) is True


@pytest.mark.parametrize("password", [PASSWORD, "pässwörd-ÆØÅ-😀", " ", "x" * 256])
def test_the_right_password_verifies(hasher: Argon2Hasher, password: str) -> None:
    assert hasher.verify(hasher.hash(password), password) is True


@pytest.mark.parametrize(
    "attempt",
    ["corr3ct-horse!", "Corr3ct-Horse", "Corr3ct-Horse! ", "", "Corr3ct-Horse!\x00"],
)
def test_a_wrong_password_does_not_verify(hasher: Argon2Hasher, attempt: str) -> None:
    assert hasher.verify(hasher.hash(PASSWORD), attempt) is False


def _truncated(hasher: Argon2Hasher) -> str:
    return hasher.hash(PASSWORD)[:-6]


def _other_variant(hasher: Argon2Hasher) -> str:
    return hasher.hash(PASSWORD).replace("$argon2id$", "$argon2i$", 1)


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(lambda h: "", id="empty"),
        pytest.param(lambda h: "not-a-hash", id="text"),
        pytest.param(lambda h: "$argon2id$v=19$m=65536,t=3,p=4$garbage", id="argon2-garbage"),
        pytest.param(
            lambda h: "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", id="bcrypt"
        ),
        pytest.param(lambda h: "$argon2id$v=19$m=8,t=1,p=1$$", id="no-salt-no-hash"),
        pytest.param(_truncated, id="truncated"),
        pytest.param(_other_variant, id="relabelled-variant"),
        pytest.param(lambda h: "$argon2id$v=19$m=8,t=1,p=1$sält$hash", id="non-ascii"),
    ],
)
def test_a_garbage_hash_never_verifies_and_never_raises(
    hasher: Argon2Hasher, garbage: Callable[[Argon2Hasher], str]
) -> None:
    assert hasher.verify(garbage(hasher), PASSWORD) is False
