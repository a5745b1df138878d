"""Security headers on every HTTP answer, and a Content-Security-Policy on HTML pages
that allows exactly what the page loads.

- `X-Content-Type-Options: nosniff` and `Referrer-Policy` everywhere;
- `Strict-Transport-Security` only on requests that arrived over HTTPS: directly, or
  through a trusted proxy (OCCUPI_TRUSTED_PROXIES) that says so in `X-Forwarded-Proto`;
  over plain HTTP the header would be ignored, and behind a proxy it must not be forged;
- on `text/html` answers (GraphiQL, /docs/rest) a CSP built from the page itself: its
  inline scripts by their SHA-256, the origins of its external scripts and style
  sheets, and nothing else (no framing, no plugins, no foreign connections).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.addresses import IPNetwork, parse_address, within
from domain.errors import DomainError
from gateway.auth.proxies import PEER_KEY

HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_EXTERNAL = re.compile(r"<(script|link)\b[^>]*?\b(?:src|href)=\"(https://[^\"]+)\"", re.I)


def page_policy(html: str) -> str:
    """The CSP for this page: what it loads, by origin or (inline scripts) by hash."""
    scripts = {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    }
    styles: set[str] = set()
    for tag, url in _EXTERNAL.findall(html):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        (scripts if tag.lower() == "script" else styles).add(origin)
    script_src = " ".join(["'self'", *sorted(scripts)])
    # Inline style elements and attributes are the page's own (GraphiQL sets them).
    style_src = " ".join(["'self'", "'unsafe-inline'", *sorted(styles)])
    return (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def came_over_https(scope: Scope, trusted: Sequence[IPNetwork]) -> bool:
    """HTTPS to us, or to the trusted proxy that passed the request on."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    peer = scope.get(PEER_KEY)
    if not trusted or not isinstance(peer, str):
        return False
    try:
        if not within(parse_address(peer), trusted):
            return False
    except DomainError:
        return False
    # The nearest proxy writes the rightmost value; the others could be forged.
    values = Headers(scope=scope).getlist("x-forwarded-proto")
    nearest = values[-1].split(",")[-1].strip().lower() if values else ""
    return nearest == "https"


class SecurityHeadersMiddleware:
    """Pure ASGI; HTML bodies (small pages) are held until complete to hash them."""

    def __init__(self, app: ASGIApp, trusted: Sequence[IPNetwork] = ()) -> None:
        self._app = app
        self._trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        https = came_over_https(scope, self._trusted)
        held: Message | None = None
        chunks: list[bytes] = []

        async def secured(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"content-length"]
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", REFERRER_POLICY.encode()),
                ]
                if https:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                started = {**message, "headers": [*message.get("headers", []), *extra]}
                content_type = Headers(raw=headers).get("content-type", "")
                if content_type.startswith("text/html"):
                    held = {**message, "headers": [*headers, *extra]}
                    return
                await send(started)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            policy = page_policy(body.decode("utf-8", "replace")).encode()
            headers = [
                *held["headers"],
                (b"content-security-policy", policy),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self._app(scope, receive, secured)
