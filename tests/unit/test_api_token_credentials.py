"""The auth layer tells API tokens from JWTs by their prefix: each goes to its own check
only, so a JWT is verified exactly as before and an API token never reaches the JWT code."""

from __future__ import annotations

from typing import cast

from gateway.auth.credentials import CredentialAuthenticator
from gateway.services.accounts import Accounts
from gateway.services.api_tokens import ApiTokens
from gateway.services.authz import Principal


class Recorder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[str] = []

    async def authenticate(self, token: str) -> Principal:
        self.seen.append(token)
        return Principal()


async def test_each_kind_of_token_goes_to_its_own_check() -> None:
    accounts, api_tokens = Recorder("accounts"), Recorder("api")
    authenticate = CredentialAuthenticator(cast(Accounts, accounts), cast(ApiTokens, api_tokens))
    await authenticate("Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
    await authenticate("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")  # the mobile client's raw form
    await authenticate("Bearer occ_abc")
    await authenticate("occ_def")
    await authenticate("Bearer Occ_not-ours")  # the prefix is case-sensitive: a JWT check
    assert accounts.seen == [
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
        "Occ_not-ours",
    ]
    assert api_tokens.seen == ["occ_abc", "occ_def"]
