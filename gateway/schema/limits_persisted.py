"""Persisted documents: Apollo's automatic persisted queries, and an allow-list mode.

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}`, with or
without the document. Without it, a known hash runs its document and an unknown one gets
`PERSISTED_QUERY_NOT_FOUND` (the client then sends both, which registers the document).
In allow-list mode (`OCCUPI_TRUSTED_DOCUMENTS`) only the manifest's documents run, named
by hash or sent in full; nothing is registered. A document that runs again is the same
string, so the parser and validation caches answer for it.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import DocumentNode, GraphQLError, parse

from gateway.schema.limits import refusal

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
BAD_REQUEST = "PERSISTED_QUERY_INVALID"
NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"


class ManifestError(ValueError):
    """The trusted-documents manifest cannot be used; the message says why."""


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


def load_trusted_documents(path: Path) -> dict[str, str]:
    """hash -> document from Apollo's manifest format
    (`{"operations": [{"id": <sha256>, "body": <document>}, ...]}`) or a plain
    `{<sha256>: <document>}` object; every hash must be its document's."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestError(f"OCCUPI_TRUSTED_DOCUMENTS: cannot read {path}: {error}") from None
    if isinstance(raw, dict) and isinstance(raw.get("operations"), list):
        pairs = [
            (o.get("id"), o.get("body")) if isinstance(o, dict) else (None, None)
            for o in raw["operations"]
        ]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        raise ManifestError(f"OCCUPI_TRUSTED_DOCUMENTS: {path} is not a JSON object")
    documents: dict[str, str] = {}
    for key, body in pairs:
        if not isinstance(key, str) or not isinstance(body, str) or sha256(body) != key.lower():
            raise ManifestError(
                f"OCCUPI_TRUSTED_DOCUMENTS: in {path}, every entry needs a document and "
                f"the SHA-256 of that document as its id; {str(key)[:80]!r} is not"
            )
        documents[key.lower()] = body
    if not documents:
        raise ManifestError(f"OCCUPI_TRUSTED_DOCUMENTS: {path} holds no documents")
    return documents


@dataclass
class Resolved:
    """The document to run, or the error that answers instead; a trusted document
    comes parsed, with its digest to find its validation by."""

    query: str | None
    error: GraphQLError | None = None
    document: DocumentNode | None = None
    digest: str | None = None


class PersistedDocuments:
    """The documents known by hash in this process: the manifest's, or those clients
    registered (the newest `capacity` of them)."""

    def __init__(self, trusted: Mapping[str, str], capacity: int) -> None:
        self._trusted = dict(trusted)
        self._capacity = capacity
        self._registered: OrderedDict[str, str] = OrderedDict()
        self._parsed: dict[str, DocumentNode] = {}
        # digest -> the validation errors of a trusted document (the rules never change)
        self.validated: dict[str, list[GraphQLError]] = {}

    @property
    def allow_list(self) -> bool:
        return bool(self._trusted)

    def resolve(self, query: str | None, extensions: Mapping[str, object] | None) -> Resolved:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return self._plain(query)
        if self._capacity == 0 and not self.allow_list:
            return Resolved(None, refusal("PersistedQueryNotSupported", NOT_SUPPORTED))
        wanted = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        version = persisted.get("version", 1) if isinstance(persisted, dict) else None
        if not isinstance(wanted, str) or version != 1:
            return Resolved(
                None,
                refusal(
                    "extensions.persistedQuery needs version 1 and a sha256Hash string",
                    BAD_REQUEST,
                ),
            )
        wanted = wanted.lower()
        if query is not None:
            if sha256(query) != wanted:
                return Resolved(None, refusal("provided sha does not match query", BAD_REQUEST))
            if not self.allow_list:
                self._register(wanted, query)
            return self._plain(query)
        if self.allow_list:
            return self._trusted_one(wanted)
        known = self._registered.get(wanted)
        if known is not None:
            return Resolved(known)
        return Resolved(None, refusal("PersistedQueryNotFound", NOT_FOUND))

    def _plain(self, query: str | None) -> Resolved:
        if self.allow_list and query is not None:
            return self._trusted_one(sha256(query))
        return Resolved(query)

    def _trusted_one(self, digest: str) -> Resolved:
        query = self._trusted.get(digest)
        if query is None:
            return Resolved(None, _not_trusted())
        document = self._parsed.get(digest)
        if document is None:
            try:
                document = self._parsed[digest] = parse(query)
            except GraphQLError as error:
                return Resolved(None, error)
        return Resolved(query, document=document, digest=digest)

    def _register(self, digest: str, query: str) -> None:
        self._registered[digest] = query
        self._registered.move_to_end(digest)
        while len(self._registered) > self._capacity:
            self._registered.popitem(last=False)


def _not_trusted() -> GraphQLError:
    return refusal(
        "Only trusted documents run here, and this one is not in the allow-list "
        "(OCCUPI_TRUSTED_DOCUMENTS)",
        NOT_TRUSTED,
    )
