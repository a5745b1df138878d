"""The legacy endpoints docs/rest-compat.md lists as not served answer Gin's 404, even to
a signed-in admin, so a client can tell "not here" from a refusal."""

from __future__ import annotations

import httpx
import pytest

from tests.rest_compat.test_not_found import GIN_404

NOT_SERVED = [
    ("POST", "/auth/verify-2fa"),
    ("POST", "/auth/verify-otp-enable-2fa"),
    ("POST", "/auth/login-admin-begin"),
    ("POST", "/auth/login-admin-finish/1"),
    ("POST", "/auth/register-admin-begin"),
    ("POST", "/auth/register-admin-finish/1"),
    ("GET", "/api/resources"),
    ("GET", "/api/filter-users"),
    ("GET", "/api/resource-auth"),
    ("GET", "/api/resource-auth-admin"),
    ("PUT", "/api/notify-report-download"),
    ("GET", "/api/get-users-locations"),
    ("GET", "/api/get-blacklist"),
    ("GET", "/analytics/user-hours"),
    ("GET", "/analytics/most-active-employee"),
    ("GET", "/analytics/top-bookings"),
    ("GET", "/rtc/enter"),
    ("GET", "/rtc/get-token"),
    ("GET", "/v1/locations/1/counts"),
]


@pytest.mark.parametrize(("method", "path"), NOT_SERVED)
async def test_not_served_endpoints_are_gins_404(
    http: httpx.AsyncClient, tokens: dict[str, str], method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": tokens["admin"]}):
        response = await http.request(method, path, headers=headers)
        assert (
            response.status_code,
            response.headers["content-type"],
            response.content,
        ) == GIN_404, (method, path)
