"""Mail over SMTP (aiosmtplib): one connection per mail, each mail one MIME message.

`OCCUPI_SMTP_URL` names the server, as `smtp://[user:password@]host[:port][?params]`
(port 25, STARTTLS when the server offers it, and always when there is a password) or
`smtps://…` (TLS from the start, port 465). Parameters: `starttls=auto|off|required`
(smtp:// only), `cafile=/path/to/ca.pem` (trust this CA instead of the system's),
`timeout=SECONDS` (default 30, at most 60).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

from gateway.services.ports import Clock
from gateway.services.records import OutgoingMail

log = logging.getLogger("occupi.mail")

DEFAULT_MAIL_FROM = "Occupi <no-reply@localhost>"
DEFAULT_TIMEOUT = 30.0
# The relay starts a send only while its five-minute lease has this much (and a margin)
# left, so a short bound keeps most of the lease usable and a send always ends inside it.
MAX_TIMEOUT = 60.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
PARAMETERS = ("starttls", "cafile", "timeout")
# Bcc recipients are named in no header, so a mail with only Bcc recipients gets this
# empty group as its To, as mail clients do.
UNDISCLOSED = "undisclosed-recipients:;"
PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")  # one or more blank lines


class SmtpConfigError(ValueError):
    """An SMTP URL or sender address the gateway cannot use; the message names the
    setting and never repeats a password."""


_Refuse = Callable[[str], SmtpConfigError]


class StartTls(StrEnum):
    """Whether smtp:// upgrades the connection with STARTTLS."""

    AUTO = "auto"  # when the server offers it
    OFF = "off"
    REQUIRED = "required"  # fail rather than send in the clear


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the SMTP server, parsed from `OCCUPI_SMTP_URL`."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: StartTls = StartTls.AUTO
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def uses_tls(self) -> bool:
        return self.implicit_tls or self.starttls is not StartTls.OFF

    @classmethod
    def from_url(cls, raw: str, *, setting: str = "OCCUPI_SMTP_URL") -> SmtpConfig:
        """Parse an smtp:// or smtps:// URL; user name and password are percent-decoded."""

        def refuse(problem: str) -> SmtpConfigError:
            return SmtpConfigError(f"{setting} {problem}")

        value = raw.strip()
        scheme, separator, _ = value.partition("://")
        if not separator or scheme.lower() not in DEFAULT_PORTS:
            # Only the scheme is repeated: whatever follows may hold a password.
            shown = f"{scheme.lower()}://" if separator else "a URL without a scheme"
            raise refuse(f"must be an smtp:// or smtps:// URL, not {shown}")
        try:
            url = urlsplit(value)
            port_given = url.port
        except ValueError:
            raise refuse("has a malformed host or a port that is not 1 to 65535") from None
        host = url.hostname or ""
        if not host:
            raise refuse("must name the SMTP server's host")
        if any(c.isspace() or not c.isprintable() for c in host):
            raise refuse("has a host name with spaces or control characters")
        if url.path not in ("", "/"):
            raise refuse(f"must have no path, not {url.path!r}")
        if url.fragment:
            raise refuse("must have no #fragment")
        if port_given == 0:
            raise refuse("has a port that is not 1 to 65535")
        username, password = _credentials(url.username, url.password, refuse)
        params = _parameters(url.query, refuse)
        implicit_tls = url.scheme == "smtps"
        if implicit_tls and "starttls" in params:
            raise refuse("sets starttls, which applies to smtp:// only: smtps:// is TLS throughout")
        starttls = _starttls(params.get("starttls", "auto"), refuse)
        if username is not None and starttls is StartTls.AUTO:
            # A password is never sent in the clear by default: with credentials, "auto"
            # means TLS or nothing. `starttls=off` remains for a trusted local relay.
            starttls = StartTls.REQUIRED
        cafile = _cafile(params.get("cafile"), refuse)
        if cafile is not None and not implicit_tls and starttls is StartTls.OFF:
            raise refuse("sets a cafile with starttls=off, which sends without TLS")
        return cls(
            host=host,
            port=port_given or DEFAULT_PORTS[url.scheme],
            implicit_tls=implicit_tls,
            starttls=StartTls.OFF if implicit_tls else starttls,
            username=username,
            password=password,
            cafile=cafile,
            timeout=_timeout(params.get("timeout"), refuse),
        )


def _credentials(
    user: str | None, password: str | None, refuse: _Refuse
) -> tuple[str | None, str | None]:
    if user is None and password is None:
        return None, None
    if not user:
        raise refuse("has a password but no user name")
    if not password:
        raise refuse("has a user name but no password (write user:password@host)")
    try:
        return unquote(user, errors="strict"), unquote(password, errors="strict")
    except UnicodeDecodeError:
        raise refuse("has a user name or password that is not percent-encoded UTF-8") from None


def _parameters(query: str, refuse: _Refuse) -> dict[str, str]:
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise refuse("has a malformed query; write ?name=value&name=value") from None
    found: dict[str, str] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            raise refuse(f"has the unknown parameter {name!r}; known: {', '.join(PARAMETERS)}")
        if name in found:
            raise refuse(f"sets {name} twice")
        found[name] = value
    return found


def _starttls(value: str, refuse: _Refuse) -> StartTls:
    try:
        return StartTls(value.lower())
    except ValueError:
        choices = ", ".join(mode.value for mode in StartTls)
        raise refuse(f"has starttls={value!r}; it must be one of {choices}") from None


def _cafile(value: str | None, refuse: _Refuse) -> Path | None:
    if value is None:
        return None
    if not value:
        raise refuse("has an empty cafile")
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise refuse(f"has cafile={value!r}, which is not a file")
    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError):
        raise refuse(f"has cafile={value!r}, which holds no PEM certificate") from None
    return path


def _timeout(value: str | None, refuse: _Refuse) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan
        raise refuse(
            f"has timeout={value!r}; it must be seconds, above 0 and at most {MAX_TIMEOUT:g}"
        )
    return seconds


def sender_address(raw: str, *, setting: str = "OCCUPI_MAIL_FROM") -> Address:
    """The one address mail is sent from, with an optional display name."""
    bad = SmtpConfigError(
        f"{setting} must be one address such as 'Occupi <no-reply@example.com>', not {raw!r}"
    )
    if "\r" in raw or "\n" in raw:
        raise bad
    pairs = getaddresses([raw])
    if len(pairs) != 1:
        raise bad
    display_name, addr_spec = pairs[0]
    local, at, domain = addr_spec.rpartition("@")
    if not (at and local and domain) or not addr_spec.isascii():
        raise bad
    if any(c.isspace() or not c.isprintable() for c in addr_spec):
        raise bad
    try:
        return Address(display_name=display_name, addr_spec=addr_spec)
    except (ValueError, IndexError, HeaderParseError):  # the parser raises all three
        raise bad from None


class SmtpDeliveryError(Exception):
    """A mail the SMTP server did not take; the relay records the message and retries."""


def compose(mail: OutgoingMail, sender: Address, clock: Clock) -> EmailMessage:
    """The MIME message for one mail: plain text with an HTML alternative. Bcc recipients
    are left out of the headers; `SmtpSender` names them in the envelope only."""
    now = clock.now()
    if now.tzinfo is None:
        raise ValueError("the clock must give timezone-aware instants")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to) if mail.to else UNDISCLOSED
    message["Subject"] = _one_line(mail.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message.set_content(mail.body)
    message.add_alternative(as_html(mail.subject, mail.body), subtype="html")
    return message


def as_html(subject: str, body: str) -> str:
    """The body as HTML: escaped, a paragraph per blank-line-separated block, line
    breaks kept."""
    text = body.replace("\r\n", "\n")
    blocks = [block.strip("\n") for block in PARAGRAPH_BREAK.split(text) if block.strip()]
    paragraphs = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in blocks
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{html.escape(_one_line(subject))}</title></head>\n"
        f"<body>\n{paragraphs}\n</body>\n</html>\n"
    )


def _one_line(text: str) -> str:
    # A line break in a header would be refused (or, unchecked, inject headers); a room
    # name with one must not make its mails undeliverable.
    return " ".join(text.split())


class SmtpSender:
    """Delivers each mail over a fresh SMTP connection, or raises `SmtpDeliveryError`
    with the server's answer, so the relay records it and retries after its backoff."""

    def __init__(self, config: SmtpConfig, sender: Address, clock: Clock) -> None:
        self._config = config
        self._sender = sender
        self._clock = clock
        self._tls = (
            ssl.create_default_context(cafile=None if config.cafile is None else str(config.cafile))
            if config.uses_tls
            else None
        )

    @property
    def timeout(self) -> float:
        """The configured timeout: it bounds the whole exchange with the server."""
        return self._config.timeout

    async def send(self, mail: OutgoingMail) -> None:
        recipients = list(mail.recipients)
        if not recipients:  # nothing to deliver, and retrying would not change that
            log.warning("mail %r has no recipients; not sent", mail.subject)
            return
        message = compose(mail, self._sender, self._clock)
        config = self._config
        where = f"SMTP server {config.address}"
        try:
            # aiosmtplib's timeout bounds each step; this one bounds the whole exchange.
            async with asyncio.timeout(config.timeout):
                refused, _ = await aiosmtplib.send(
                    message,
                    sender=self._sender.addr_spec,
                    recipients=recipients,
                    hostname=config.host,
                    port=config.port,
                    username=config.username,
                    password=config.password,
                    use_tls=config.implicit_tls,
                    start_tls=_START_TLS[config.starttls],
                    tls_context=self._tls,
                    timeout=config.timeout,
                )
        except TimeoutError:
            raise SmtpDeliveryError(f"{where} did not answer within {config.timeout:g} s") from None
        except aiosmtplib.SMTPException as error:
            raise SmtpDeliveryError(f"{where}: {describe(error)}") from error
        except OSError as error:  # refused, unreachable, or a TLS handshake (SSLError)
            raise SmtpDeliveryError(f"{where}: {error}") from error
        if refused:
            # The others have the mail: sending it again would give them a second copy.
            log.warning(
                "mail %r not delivered to %s",
                mail.subject,
                "; ".join(
                    f"{rcpt} ({answer.code} {answer.message})" for rcpt, answer in refused.items()
                ),
            )


_START_TLS: dict[StartTls, bool | None] = {
    StartTls.AUTO: None,
    StartTls.OFF: False,
    StartTls.REQUIRED: True,
}


def describe(error: aiosmtplib.SMTPException) -> str:
    """A one-line account of an SMTP failure, with the server's code where it gave one."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{r.recipient} ({r.code} {r.message})" for r in error.recipients)
        return f"every recipient was refused: {refused}"
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return f"authentication failed: {error.code} {error.message}"
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    return error.message or type(error).__name__
