"""The IP-rule mails over real SMTP: the notices an admin's change sends, and the
confirmation code for a new sign-in address."""

from __future__ import annotations

from gateway.app import Gateway
from gateway.services.address_mails import CODE_SUBJECT, address_confirmation_code
from tests.mail.servers import SmtpServer
from tests.support.graphql import GraphQLClient
from tests.support.world import World, user_gid

ALLOW = """
mutation Allow($input: AllowAddressInput!) { allowAddress(input: $input) { errors { code } } }
"""
REMOVE = """
mutation Remove($input: RemoveAllowedAddressInput!) {
  removeAllowedAddress(input: $input) { errors { code } }
}
"""


async def test_people_whose_addresses_an_admin_changes_are_mailed(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    smtp_server: SmtpServer,
) -> None:
    both = {"address": "203.0.113.5", "users": [user_gid(world.alice), user_gid(world.bob)]}
    allowed = await client.data(ALLOW, {"input": both}, token=tokens["admin"])
    assert allowed["allowAddress"]["errors"] == []
    bob_only = {"address": "203.0.113.5", "users": [user_gid(world.bob)]}
    removed = await client.data(REMOVE, {"input": bob_only}, token=tokens["admin"])
    assert removed["removeAllowedAddress"]["errors"] == []
    # Allowing again what is already allowed tells nobody anything.
    await client.data(
        ALLOW, {"input": {**both, "users": [user_gid(world.alice)]}}, token=tokens["admin"]
    )

    assert await gateway.relay.drain() == 3
    delivered = [(d.rcpt_tos, d.message["Subject"], d.plain) for d in smtp_server.delivered]
    assert [(to, subject) for to, subject, _ in delivered] == [
        (["alice@example.com"], "IP address added"),
        (["bob@example.com"], "IP address added"),
        (["bob@example.com"], "IP address removed"),
    ]
    assert delivered[0][2] == (
        "admin@example.com added 203.0.113.5 to the addresses you may sign in to Occupi from.\n"
    )
    assert "sign-ins from it are refused from now on" in delivered[2][2]


async def test_the_confirmation_code_for_a_new_address_reaches_its_owner(
    world: World, gateway: Gateway, smtp_server: SmtpServer
) -> None:
    async with gateway.db.writing() as uow:
        mail = address_confirmation_code("alice@example.com", "198.51.100.7", "042917", 10)
        await uow.outbox.add(mail)
        await uow.commit()
    assert await gateway.relay.drain() == 1
    [delivered] = smtp_server.delivered
    assert delivered.rcpt_tos == ["alice@example.com"]
    assert delivered.message["Subject"] == CODE_SUBJECT
    assert "from the new address 198.51.100.7" in delivered.plain
    assert "confirm it with the code 042917; it expires in 10 minutes" in delivered.plain
