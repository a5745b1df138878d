"""A two-step sign-in over real SMTP: the code reaches a local aiosmtpd server, and the
code read from that message completes the sign-in through the real app."""

from __future__ import annotations

import re

from gateway.app import Gateway
from tests.mail.servers import SmtpServer
from tests.support.graphql import GraphQLClient
from tests.support.world import PASSWORD

SECURITY = """
mutation Security($input: UpdateSecuritySettingsInput!) {
  updateSecuritySettings(input: $input) { securitySettings { mfa } errors { code } }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token codeRequired challenge { reason } errors { code } }
}
"""
COMPLETE = """
mutation Complete($input: CompleteLoginInput!) {
  completeLogin(input: $input) { token user { email } errors { code } }
}
"""
ME = "{ me { email securitySettings { mfa } } }"


async def test_the_sign_in_code_arrives_by_smtp_and_completes_the_sign_in(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway, smtp_server: SmtpServer
) -> None:
    enabled = await client.data(
        SECURITY, {"input": {"mfa": True, "currentPassword": PASSWORD}}, token=tokens["bob"]
    )
    assert enabled["updateSecuritySettings"] == {"securitySettings": {"mfa": True}, "errors": []}

    credentials = {"input": {"email": "bob@example.com", "password": PASSWORD}}
    login = (await client.data(LOGIN, credentials))["login"]
    assert login == {
        "token": None,
        "codeRequired": True,
        "challenge": {"reason": "MFA"},
        "errors": [],
    }
    assert await gateway.relay.drain() == 1

    [delivered] = smtp_server.delivered
    assert delivered.rcpt_tos == ["bob@example.com"]
    assert delivered.message["Subject"] == "Your Occupi sign-in code (mfa)"
    found = re.search(r"Your sign-in code is (\d{6})\.", delivered.plain)
    assert found is not None

    variables = {"input": {"email": "bob@example.com", "code": found.group(1)}}
    done = (await client.data(COMPLETE, variables))["completeLogin"]
    assert done["errors"] == []
    me = await client.data(ME, token=done["token"])
    assert me["me"] == {"email": "bob@example.com", "securitySettings": {"mfa": True}}
