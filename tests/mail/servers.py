"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, which keeps what it is
given, and a self-signed certificate to talk TLS with it."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

OPENSSL = shutil.which("openssl")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed(directory: Path) -> Certificate:
    """A certificate for 127.0.0.1 and localhost, valid for two days, made by openssl."""
    assert OPENSSL is not None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603  (fixed arguments of our own)
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


@dataclass(frozen=True)
class Delivered:
    """One message as the server took it: the envelope, the parsed message, and how the
    client reached it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    user: str | None

    @property
    def plain(self) -> str:
        return self._part("plain")

    @property
    def html(self) -> str:
        return self._part("html")

    def _part(self, subtype: str) -> str:
        """The decoded text of a part, with the wire's CRLF line ends back to newlines."""
        part = self.message.get_body((subtype,))
        assert isinstance(part, EmailMessage), f"no text/{subtype} part"
        text: str = part.get_content()
        return text.replace("\r\n", "\n")


class Collector:
    """The aiosmtpd handler: accepts every message and keeps it."""

    def __init__(self) -> None:
        self.delivered: list[Delivered] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        user = session.auth_data if session.authenticated else None
        self.delivered.append(
            Delivered(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                tls=tls,
                user=user if isinstance(user, str) else None,
            )
        )
        return "250 Message accepted for delivery"


class Accounts:
    """An aiosmtpd authenticator over a fixed user → password table."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            if login in self.users and self.users[login] == password:
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)


class SmtpServer:
    """aiosmtpd on 127.0.0.1 in a thread of its own; start, stop and start again on the
    same port. Optionally with AUTH (required then), STARTTLS (required then) or TLS from
    the start."""

    def __init__(
        self,
        *,
        port: int | None = None,
        users: dict[str, str] | None = None,
        starttls: Certificate | None = None,
        implicit_tls: Certificate | None = None,
    ) -> None:
        self.port = port or free_port()
        self.collector = Collector()
        self._users = users
        self._starttls = starttls
        self._implicit_tls = implicit_tls
        self._controller: Controller | None = None

    @property
    def delivered(self) -> list[Delivered]:
        return self.collector.delivered

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self._users is not None:
            options.update(authenticator=Accounts(self._users), auth_required=True)
            # Plain-text AUTH is fine on loopback; the TLS tests keep the default.
            options["auth_require_tls"] = self._starttls is not None
        if self._starttls is not None:
            options.update(tls_context=self._starttls.server_context(), require_starttls=True)
        if self._implicit_tls is not None:
            options["ssl_context"] = self._implicit_tls.server_context()
        self._controller = Controller(
            self.collector,
            hostname="127.0.0.1",
            port=self.port,
            # Named, so the server does not look its own name up.
            server_hostname="localhost",
            ready_timeout=10.0,
            **options,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
