"""Liveness probes with the legacy ping guards: open, signed-out only, signed-in, admin."""

from __future__ import annotations

from gateway.services.authz import Principal

PONG = "pong -> I am alive and kicking"


class Probes:
    """Each probe answers its message or raises the guard's DomainError.

    A rejected (expired, forged) token counts as signed out, as in the original server.
    """

    def ping(self) -> str:
        return PONG

    def ping_open(self, principal: Principal) -> str:
        principal.require_anonymous()
        return f"{PONG} and you are not auth'd, only non-auth'd users can access this endpoint"

    def ping_auth(self, principal: Principal) -> str:
        principal.require()
        return f"{PONG} and you are auth'd"

    def ping_admin(self, principal: Principal) -> str:
        principal.require_admin()
        return f"{PONG} and you are an admin"
