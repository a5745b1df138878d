"""Where a client's token is found, and how it becomes a principal.

A token is accepted as `Authorization: Bearer <jwt>`, as a raw `Authorization: <jwt>`
(the legacy mobile client) or as the `token` cookie (the legacy web client). When both
are sent, the Authorization header wins: it is the more deliberate of the two.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers

from domain.api_tokens import looks_like_api_token
from gateway.services.accounts import Accounts
from gateway.services.api_tokens import ApiTokens
from gateway.services.authz import Principal

AUTH_COOKIE = "token"


def strip_bearer(credential: str) -> str:
    """`Bearer <jwt>` or a raw `<jwt>`: the legacy clients send both."""
    scheme, _, rest = credential.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else credential.strip()


def find_token(headers: Headers) -> str | None:
    authorization = headers.get("authorization", "").strip()
    if authorization:
        return strip_bearer(authorization)
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:  # a malformed Cookie header means no cookie, not a 500
        return None
    morsel = cookie.get(AUTH_COOKIE)
    return morsel.value if morsel and morsel.value else None


class CredentialAuthenticator:
    """The `Authenticator` port: a credential as presented, checked by the accounts, or by
    the API tokens when it has their prefix (`occ_`, which no JWT starts with). A JWT
    therefore never reaches the API-token check and vice versa, and JWT verification is
    the same as without API tokens."""

    def __init__(self, accounts: Accounts, api_tokens: ApiTokens) -> None:
        self._accounts = accounts
        self._api_tokens = api_tokens

    async def __call__(self, credential: str) -> Principal:
        token = strip_bearer(credential)
        if looks_like_api_token(token):
            return await self._api_tokens.authenticate(token)
        return await self._accounts.authenticate(token)
