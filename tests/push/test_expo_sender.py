"""The Expo push sender against a real local HTTP server started by the test: nothing
here calls the internet."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gateway.app import open_push_sender
from gateway.push.expo import CHUNK, ExpoPushSender
from gateway.push.senders import LoggingPushSender
from gateway.services.notification_records import PushMessage
from gateway.settings import Settings, SettingsError
from tests.mail.servers import free_port


@dataclass
class PushServer:
    """Records each POST's JSON body; answers `status`."""

    status: int = 200
    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def server() -> Iterator[PushServer]:
    found = PushServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            found.bodies.append(json.loads(self.rfile.read(length)))
            found.headers.append(dict(self.headers))
            self.send_response(found.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"data": []}')

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads the bodies instead."""

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{http.server_address[1]}/--/api/v2/push/send"
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield found
    http.shutdown()
    http.server_close()


def messages(count: int) -> list[PushMessage]:
    return [
        PushMessage(f"ExponentPushToken[{n}]", "Booking starting soon", f"body {n}", {"n": str(n)})
        for n in range(count)
    ]


async def test_messages_are_posted_in_expos_format_in_chunks_of_100(server: PushServer) -> None:
    await ExpoPushSender(server.url).send(messages(CHUNK * 2 + 1))

    assert [len(body) for body in server.bodies] == [100, 100, 1]
    assert server.bodies[0][0] == {
        "to": "ExponentPushToken[0]",
        "title": "Booking starting soon",
        "body": "body 0",
        "data": {"n": "0"},
    }
    assert server.bodies[2][0]["to"] == "ExponentPushToken[200]"
    assert server.headers[0]["Content-Type"] == "application/json"


async def test_nothing_to_send_posts_nothing(server: PushServer) -> None:
    await ExpoPushSender(server.url).send([])
    assert server.bodies == []


async def test_an_error_status_is_logged_not_raised(
    server: PushServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.status = 500
    with caplog.at_level(logging.WARNING, "gateway.push.expo"):
        await ExpoPushSender(server.url).send(messages(CHUNK + 1))
    assert len(server.bodies) == 2  # the second chunk is still tried
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "100 pushes not sent",
        "1 pushes not sent",
    ]


async def test_an_unreachable_service_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/--/api/v2/push/send"  # nobody listens
    with caplog.at_level(logging.WARNING, "gateway.push.expo"):
        await ExpoPushSender(closed, timeout=2.0).send(messages(1))
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["1 pushes not sent"]


def test_settings_choose_the_sender(tmp_path: Any) -> None:
    env = {"OCCUPI_DATA_DIR": str(tmp_path), "OCCUPI_JWT_SECRET": "x" * 32}
    default = Settings.from_env(env)
    expo = Settings.from_env({**env, "OCCUPI_PUSH_SENDER": "expo", "OCCUPI_PUSH_URL": "http://h/p"})
    assert isinstance(open_push_sender(default), LoggingPushSender)
    assert default.push_url == "https://exp.host/--/api/v2/push/send"
    assert isinstance(open_push_sender(expo), ExpoPushSender)
    assert expo.push_url == "http://h/p"
    with pytest.raises(SettingsError, match="OCCUPI_PUSH_SENDER must be one of log, expo"):
        Settings.from_env({**env, "OCCUPI_PUSH_SENDER": "fcm"})
    with pytest.raises(SettingsError, match="OCCUPI_PUSH_URL must be an http"):
        Settings.from_env({**env, "OCCUPI_PUSH_URL": "exp.host"})
    lead = Settings.from_env({**env, "OCCUPI_REMINDER_LEAD_MINUTES": "30"})
    assert lead.reminder_lead.total_seconds() == 1800
