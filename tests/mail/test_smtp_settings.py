"""OCCUPI_SMTP_URL and OCCUPI_MAIL_FROM: every accepted form of the URL and what it
means, and a precise refusal, naming the variable and never the password, for the rest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from gateway.app import open_mail_sender
from gateway.mail.relay import LEASE, SEND_MARGIN, MailRelay
from gateway.mail.senders import ConsoleSender
from gateway.mail.smtp import DEFAULT_TIMEOUT, MAX_TIMEOUT, SmtpConfig, SmtpSender, StartTls
from gateway.settings import Settings, SettingsError
from tests.mail.servers import Certificate
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase

SECRET = "hunter2-secret"


def from_env(tmp_path: Path, **values: str) -> Settings:
    return Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path), **values})


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize("unset", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_without_a_url_mail_goes_to_the_log(tmp_path: Path, unset: str | None) -> None:
    env = {} if unset is None else {"OCCUPI_SMTP_URL": unset}
    settings = from_env(tmp_path, **env)

    assert settings.smtp_url is None
    assert settings.mail_from == "Occupi <no-reply@localhost>"
    assert isinstance(open_mail_sender(settings, MutableClock()), ConsoleSender)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "smtp://mail.example.com",
            SmtpConfig(host="mail.example.com", port=25),
            id="plain-default-port",
        ),
        pytest.param(
            "smtp://mail.example.com:587/",
            SmtpConfig(host="mail.example.com", port=587),
            id="port-and-slash",
        ),
        pytest.param(
            "SMTP://Mail.Example.COM", SmtpConfig(host="mail.example.com", port=25), id="case"
        ),
        pytest.param("smtp://[::1]:2525", SmtpConfig(host="::1", port=2525), id="ipv6"),
        pytest.param(
            "smtp://mailer:pa55word@mail.example.com:587",
            SmtpConfig(
                host="mail.example.com",
                port=587,
                username="mailer",
                password="pa55word",
                starttls=StartTls.REQUIRED,
            ),
            id="credentials",
        ),
        pytest.param(
            f"smtp://{quote('me@example.com', safe='')}:{quote('p@ss:w/rd %#?&+', safe='')}@h",
            SmtpConfig(
                host="h",
                port=25,
                username="me@example.com",
                password="p@ss:w/rd %#?&+",
                starttls=StartTls.REQUIRED,
            ),
            id="percent-encoded",
        ),
        pytest.param(
            "smtp://h:p%C3%A4ss@h",
            SmtpConfig(
                host="h", port=25, username="h", password="päss", starttls=StartTls.REQUIRED
            ),
            id="utf8-password",
        ),
        pytest.param(
            "smtp://h?starttls=off", SmtpConfig(host="h", port=25, starttls=StartTls.OFF), id="off"
        ),
        pytest.param(
            "smtp://relay:secret@localhost?starttls=off",
            SmtpConfig(
                host="localhost",
                port=25,
                username="relay",
                password="secret",
                starttls=StartTls.OFF,
            ),
            id="credentials-in-the-clear-only-when-asked",
        ),
        pytest.param(
            "smtp://h?starttls=Required",
            SmtpConfig(host="h", port=25, starttls=StartTls.REQUIRED),
            id="required",
        ),
        pytest.param("smtp://h?starttls=auto", SmtpConfig(host="h", port=25), id="auto"),
        pytest.param(
            "smtps://mail.example.com",
            SmtpConfig(host="mail.example.com", port=465, implicit_tls=True, starttls=StartTls.OFF),
            id="smtps-default-port",
        ),
        pytest.param(
            "smtps://u:p@h:2465",
            SmtpConfig(
                host="h",
                port=2465,
                implicit_tls=True,
                starttls=StartTls.OFF,
                username="u",
                password="p",
            ),
            id="smtps-port-credentials",
        ),
        pytest.param(
            "smtp://h?timeout=5", SmtpConfig(host="h", port=25, timeout=5.0), id="timeout"
        ),
        pytest.param(
            "smtp://h?timeout=0.25", SmtpConfig(host="h", port=25, timeout=0.25), id="fraction"
        ),
        pytest.param(
            "smtp://h?timeout=60", SmtpConfig(host="h", port=25, timeout=60.0), id="longest"
        ),
    ],
)
def test_an_accepted_url(tmp_path: Path, url: str, expected: SmtpConfig) -> None:
    settings = from_env(tmp_path, OCCUPI_SMTP_URL=url)

    assert settings.smtp_url == url
    assert SmtpConfig.from_url(url) == expected
    assert isinstance(open_mail_sender(settings, MutableClock()), SmtpSender)


@pytest.mark.parametrize("timeout", [0.25, DEFAULT_TIMEOUT, MAX_TIMEOUT])
def test_the_sender_bounds_a_send_by_its_timeout_well_inside_the_relays_lease(
    tmp_path: Path, timeout: float
) -> None:
    settings = from_env(tmp_path, OCCUPI_SMTP_URL=f"smtp://h?timeout={timeout}")
    sender = open_mail_sender(settings, MutableClock())

    assert sender.timeout == timeout
    assert timedelta(seconds=MAX_TIMEOUT) + SEND_MARGIN <= LEASE / 2
    MailRelay(FakeDatabase(), sender, MutableClock())  # accepts it


def test_the_console_sender_declares_a_short_timeout() -> None:
    assert 0 < ConsoleSender().timeout <= 5


def test_the_defaults_of_a_url() -> None:
    config = SmtpConfig.from_url("smtp://h")
    assert (config.starttls, config.cafile, config.timeout) == (StartTls.AUTO, None, 30.0)
    assert DEFAULT_TIMEOUT == 30.0
    assert config.uses_tls
    assert not SmtpConfig.from_url("smtp://h?starttls=off").uses_tls
    assert SmtpConfig.from_url("smtps://h").uses_tls
    assert SmtpConfig.from_url("smtp://[::1]:25").address == "[::1]:25"


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_cafile_to_trust(tmp_path: Path, certificate: Certificate, scheme: str) -> None:
    url = f"{scheme}://h?cafile={quote(str(certificate.cert))}&timeout=10"
    if scheme == "smtp":
        url += "&starttls=required"

    config = SmtpConfig.from_url(url)

    assert config.cafile == certificate.cert.resolve()
    assert config.timeout == 10.0
    assert from_env(tmp_path, OCCUPI_SMTP_URL=url).smtp_url == url


def test_the_password_stays_out_of_repr(tmp_path: Path) -> None:
    url = f"smtp://mailer:{SECRET}@mail.example.com"
    settings = from_env(tmp_path, OCCUPI_SMTP_URL=url)

    assert SECRET not in repr(settings)
    assert SECRET not in repr(SmtpConfig.from_url(url))


# --- refused --------------------------------------------------------------------------------


@pytest.fixture
def not_pem(tmp_path: Path) -> Path:
    path = tmp_path / "not.pem"
    path.write_text("this is no certificate\n")
    return path


REFUSED = [
    pytest.param(
        f"http://u:{SECRET}@h", "must be an smtp:// or smtps:// URL, not http://", id="http"
    ),
    pytest.param("mail.example.com:25", "not a URL without a scheme", id="no-scheme"),
    pytest.param("smtp://", "must name the SMTP server's host", id="no-host"),
    pytest.param(f"smtp://u:{SECRET}@:25", "must name the SMTP server's host", id="only-port"),
    pytest.param(f"smtp://u:{SECRET}@h:abc", "port that is not 1 to 65535", id="port-word"),
    pytest.param("smtp://h:0", "port that is not 1 to 65535", id="port-zero"),
    pytest.param(f"smtp://u:{SECRET}@h:70000", "port that is not 1 to 65535", id="port-big"),
    pytest.param("smtp://[::1:25", "malformed host", id="ipv6-unclosed"),
    pytest.param("smtp://mail host", "spaces or control characters", id="space-in-host"),
    pytest.param(f"smtp://u:{SECRET}@h/inbox", "must have no path, not '/inbox'", id="path"),
    pytest.param("smtp://h#top", "must have no #fragment", id="fragment"),
    pytest.param("smtp://mailer@h", "has a user name but no password", id="no-password"),
    pytest.param("smtp://mailer:@h", "has a user name but no password", id="empty-password"),
    pytest.param(f"smtp://:{SECRET}@h", "has a password but no user name", id="no-user"),
    pytest.param("smtp://u:%FF%FE@h", "not percent-encoded UTF-8", id="bad-encoding"),
    pytest.param(
        f"smtp://u:{SECRET}@h?starttls=maybe",
        "starttls='maybe'; it must be one of auto, off, required",
        id="starttls-value",
    ),
    pytest.param(
        f"smtps://u:{SECRET}@h?starttls=off", "applies to smtp:// only", id="smtps-starttls"
    ),
    pytest.param(
        f"smtp://u:{SECRET}@h?tls=on",
        "unknown parameter 'tls'; known: starttls, cafile, timeout",
        id="unknown",
    ),
    pytest.param("smtp://h?starttls=off&starttls=required", "sets starttls twice", id="twice"),
    pytest.param("smtp://h?starttls", "malformed query", id="no-value"),
    pytest.param("smtp://h?cafile=", "has an empty cafile", id="empty-cafile"),
    pytest.param(
        "smtp://h?cafile=/no/such/ca.pem",
        "cafile='/no/such/ca.pem', which is not a file",
        id="missing-cafile",
    ),
    pytest.param(
        "smtp://h?timeout=0",
        "timeout='0'; it must be seconds, above 0 and at most 60",
        id="timeout-zero",
    ),
    pytest.param("smtp://h?timeout=-1", "timeout='-1'", id="timeout-negative"),
    pytest.param("smtp://h?timeout=61", "timeout='61'", id="timeout-long"),
    pytest.param("smtp://h?timeout=120", "timeout='120'", id="timeout-of-two-minutes"),
    pytest.param("smtp://h?timeout=soon", "timeout='soon'", id="timeout-word"),
    pytest.param("smtp://h?timeout=nan", "timeout='nan'", id="timeout-nan"),
]


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_a_refused_url(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        from_env(tmp_path, OCCUPI_SMTP_URL=url)

    text = str(refused.value)
    assert text.startswith("OCCUPI_SMTP_URL ")
    assert message in text
    assert SECRET not in text


def test_a_cafile_that_holds_no_certificate(tmp_path: Path, not_pem: Path) -> None:
    with pytest.raises(SettingsError, match=r"^OCCUPI_SMTP_URL .*which holds no PEM certificate"):
        from_env(tmp_path, OCCUPI_SMTP_URL=f"smtp://h?cafile={not_pem}")


def test_a_cafile_with_starttls_off(tmp_path: Path, certificate: Certificate) -> None:
    url = f"smtp://h?starttls=off&cafile={certificate.cert}"
    with pytest.raises(SettingsError, match=r"^OCCUPI_SMTP_URL sets a cafile with starttls=off"):
        from_env(tmp_path, OCCUPI_SMTP_URL=url)


# --- OCCUPI_MAIL_FROM -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("rooms@example.com", "rooms@example.com"),
        ("Occupi Rooms <rooms@example.com>", "Occupi Rooms <rooms@example.com>"),
        ('"Rooms, HQ" <rooms@example.com>', '"Rooms, HQ" <rooms@example.com>'),
        ("Zoë's Rooms <rooms@example.com>", "Zoë's Rooms <rooms@example.com>"),
        ("  <rooms@example.com>  ", "rooms@example.com"),
        ("", "Occupi <no-reply@localhost>"),
    ],
)
def test_an_accepted_sender(tmp_path: Path, raw: str, kept: str) -> None:
    assert from_env(tmp_path, OCCUPI_MAIL_FROM=raw).mail_from == kept


@pytest.mark.parametrize(
    "raw",
    [
        "Occupi",
        "rooms@",
        "@example.com",
        "a@example.com, b@example.com",
        "<@>",
        "zoë@example.com",
        "rooms@example.com\r\nBcc: someone@example.com",
    ],
)
def test_a_refused_sender(tmp_path: Path, raw: str) -> None:
    with pytest.raises(SettingsError, match=r"^OCCUPI_MAIL_FROM must be one address"):
        from_env(tmp_path, OCCUPI_MAIL_FROM=raw)
