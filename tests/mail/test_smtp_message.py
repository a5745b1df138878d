"""How one OutgoingMail becomes one MIME message: headers, Bcc nowhere in them, a plain
text part and an escaped HTML alternative."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

import pytest

from gateway.mail.smtp import as_html, compose, sender_address
from gateway.services.records import MailKind, OutgoingMail
from tests.support.clock import MutableClock

SENDER = sender_address("Occupi <no-reply@occupi.example>")


def test_the_headers_of_a_mail() -> None:
    clock = MutableClock()
    mail = OutgoingMail(to=("a@example.com", "b@example.com"), subject="Hi", body="Hello\n")

    message = compose(mail, SENDER, clock)

    assert message["From"] == "Occupi <no-reply@occupi.example>"
    assert message["To"] == "a@example.com, b@example.com"
    assert message["Subject"] == "Hi"
    assert parsedate_to_datetime(message["Date"]) == clock.now()
    assert message["Date"].endswith("+0000")
    assert message["Message-ID"].startswith("<")
    assert message["Message-ID"].endswith("@occupi.example>")
    assert message["MIME-Version"] == "1.0"
    assert "Bcc" not in message


def test_bcc_recipients_appear_in_no_header() -> None:
    mail = OutgoingMail(
        to=(),
        bcc=("x@example.com", "y@example.com"),
        subject="S",
        body="B\n",
        kind=MailKind.INVITATION,
    )

    message = compose(mail, SENDER, MutableClock())

    assert message["To"] == "undisclosed-recipients:;"
    assert "Bcc" not in message
    assert not any("example.com" in value for value in message.values())


def test_every_message_has_its_own_id() -> None:
    mail = OutgoingMail(to=("a@example.com",), subject="S", body="B\n")
    ids = {compose(mail, SENDER, MutableClock())["Message-ID"] for _ in range(20)}
    assert len(ids) == 20


def test_a_plain_text_part_and_an_html_alternative() -> None:
    mail = OutgoingMail(to=("a@example.com",), subject="S", body="Line one\nLine two\n")

    message = compose(mail, SENDER, MutableClock())

    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content() == "Line one\nLine two\n"
    assert rich.get_content_type() == "text/html"
    assert "<p>Line one<br>\nLine two</p>" in rich.get_content()


def test_the_html_is_escaped_and_keeps_paragraphs_and_line_breaks() -> None:
    body = 'Dear <script>alert("x")</script> & co,\n\nFirst\nSecond\n\n\nLast\n'

    page = as_html("Room <A> & 'B'", body)

    assert "<title>Room &lt;A&gt; &amp; &#x27;B&#x27;</title>" in page
    assert "<p>Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co,</p>" in page
    assert "<p>First<br>\nSecond</p>" in page
    assert "<p>Last</p>" in page
    assert "<script>" not in page


def test_a_line_break_in_a_subject_cannot_add_a_header() -> None:
    mail = OutgoingMail(to=("a@example.com",), subject="Room\r\nBcc: evil@example.com", body=".")

    message = compose(mail, SENDER, MutableClock())

    assert message["Subject"] == "Room Bcc: evil@example.com"
    assert "Bcc" not in message
    assert "\nBcc:" not in message.as_string()


def test_a_naive_clock_is_refused() -> None:
    naive = MutableClock(datetime(2026, 11, 23, 6, 0))  # noqa: DTZ001  (the point of the test)
    mail = OutgoingMail(to=("a@example.com",), subject="S", body="B")
    with pytest.raises(ValueError, match="timezone-aware"):
        compose(mail, SENDER, naive)
