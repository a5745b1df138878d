"""Which client a request comes from, when it may have passed through reverse proxies.

Forwarding headers are written by whoever sent the request, so they are believed only
as far as trusted proxies wrote them: the chain of hops (header entries, then the direct
peer) is walked from the right, skipping trusted proxies, and the first hop that is not
one is the client. A hop that cannot be read on that walk means the header cannot be
trusted, and the direct peer is the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.addresses import IPAddress, IPNetwork, parse_address, within
from domain.errors import DomainError

MAX_HOPS = 30  # longer chains are not walked: the peer answers


def _hop(raw: str) -> IPAddress | None:
    """An address as proxies write it: bare, `v4:port`, `[v6]` or `[v6]:port`."""
    text = raw.strip().strip('"').strip()
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or (text[end + 1 :] and not text[end + 1 :].startswith(":")):
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return parse_address(text)
    except DomainError:
        return None


def forwarded_for(values: Sequence[str]) -> list[str] | None:
    """The `for=` hops of RFC 7239 `Forwarded` header lines, left to right; None when an
    element has no `for=` or the syntax cannot be read."""
    hops: list[str] = []
    for element in (e for value in values for e in value.split(",")):
        found = None
        for pair in element.split(";"):
            name, sep, value = pair.partition("=")
            if not sep:
                return None
            if name.strip().lower() == "for":
                found = value.strip()
        if found is None:
            return None
        hops.append(found)
    return hops


def x_forwarded_for(values: Sequence[str]) -> list[str]:
    """The hops of `X-Forwarded-For` header lines, left to right."""
    return [hop.strip() for value in values for hop in value.split(",")]


def resolve_client(
    peer: str | None, hops: Sequence[str] | None, trusted: Sequence[IPNetwork]
) -> str | None:
    """The client's canonical address: `peer` itself unless it is a trusted proxy that
    forwarded `hops` (see the module docstring). An unreadable peer is returned as is."""
    if peer is None:
        return None
    peer_address = _hop(peer)
    if peer_address is None:
        return peer
    if not hops or not within(peer_address, trusted) or len(hops) > MAX_HOPS:
        return str(peer_address)
    client = peer_address
    for raw in reversed(hops):
        hop = _hop(raw)
        if hop is None:
            return str(peer_address)
        client = hop
        if not within(hop, trusted):
            break
    return str(client)
