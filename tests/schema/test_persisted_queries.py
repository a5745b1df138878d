"""Apollo's automatic persisted queries over GET and POST, and the allow-list mode in
which only the manifest's documents run (parsed and validated once)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse, validate

from gateway.schema.limits_persisted import (
    ManifestError,
    PersistedDocuments,
    load_trusted_documents,
    sha256,
)
from gateway.settings import Settings
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World

ME = "query Me { me { email } }"
PING = "{ ping }"
OTHER = "{ rooms(first: 1) { totalCount } }"


def _persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def _post(client: GraphQLClient, token: str | None = None, **body: Any) -> JSON:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    found: JSON = response.json()
    return found


async def _get(client: GraphQLClient, digest: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    params = {"extensions": json.dumps(_persisted(digest))}
    return await client.http.get("/graphql", params=params, headers=headers)


async def test_the_automatic_persisted_query_flow(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    digest = sha256(ME)
    unknown = await _post(client, extensions=_persisted(digest))
    assert unknown["errors"][0]["message"] == "PersistedQueryNotFound"
    assert error_codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]

    registered = await _post(client, tokens["alice"], query=ME, extensions=_persisted(digest))
    assert registered == {"data": {"me": {"email": world.alice.email}}}

    by_hash = await _post(client, tokens["bob"], extensions=_persisted(digest))
    assert by_hash == {"data": {"me": {"email": world.bob.email}}}
    over_get = await _get(client, digest, tokens["alice"])
    assert over_get.status_code == 200, over_get.text
    assert over_get.json() == {"data": {"me": {"email": world.alice.email}}}


async def test_a_hash_that_is_not_the_documents_is_refused(client: GraphQLClient) -> None:
    body = await _post(client, query=PING, extensions=_persisted(sha256(OTHER)))
    assert error_codes(body) == ["PERSISTED_QUERY_INVALID"]
    assert body["errors"][0]["message"] == "provided sha does not match query"
    still_unknown = await _post(client, extensions=_persisted(sha256(OTHER)))
    assert error_codes(still_unknown) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "persisted", [{"version": 2, "sha256Hash": "ab"}, {"version": 1}, "abc", {"sha256Hash": 5}]
)
async def test_a_malformed_persisted_query_extension_is_refused(
    client: GraphQLClient, persisted: object
) -> None:
    body = await _post(client, extensions={"persistedQuery": persisted})
    assert error_codes(body) == ["PERSISTED_QUERY_INVALID"]


class TestSwitchedOff:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, persisted_queries=0)

    async def test_persisted_queries_are_not_supported(self, client: GraphQLClient) -> None:
        body = await _post(client, query=PING, extensions=_persisted(sha256(PING)))
        assert error_codes(body) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
        assert (await _post(client, query=PING))["data"] == {
            "ping": "pong -> I am alive and kicking"
        }


def _manifest(path: Path, *documents: str) -> Path:
    operations = [{"id": sha256(d), "body": d, "name": "op"} for d in documents]
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


class TestTrustedDocuments:
    @pytest.fixture
    def settings(self, settings: Settings, tmp_path: Path) -> Settings:
        manifest = _manifest(tmp_path / "manifest.json", ME, PING)
        return replace(settings, trusted_documents=manifest)

    async def test_only_the_manifests_documents_run(
        self, client: GraphQLClient, world: World, tokens: dict[str, str]
    ) -> None:
        by_hash = await _post(client, tokens["alice"], extensions=_persisted(sha256(ME)))
        assert by_hash == {"data": {"me": {"email": world.alice.email}}}
        by_text = await _post(client, query=PING)
        assert by_text["data"] == {"ping": "pong -> I am alive and kicking"}
        over_get = await _get(client, sha256(ME), tokens["bob"])
        assert over_get.json() == {"data": {"me": {"email": world.bob.email}}}

        for refused in (
            await _post(client, tokens["admin"], query=OTHER),
            await _post(client, extensions=_persisted(sha256(OTHER))),
            await _post(client, query=OTHER, extensions=_persisted(sha256(OTHER))),
        ):
            assert refused["data"] is None
            assert error_codes(refused) == ["DOCUMENT_NOT_TRUSTED"]
            assert "not in the allow-list" in refused["errors"][0]["message"]
        # Refused documents were not registered on the way.
        again = await _post(client, extensions=_persisted(sha256(OTHER)))
        assert error_codes(again) == ["DOCUMENT_NOT_TRUSTED"]

    async def test_a_trusted_document_is_parsed_and_validated_once(
        self, client: GraphQLClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[str] = []

        def parsing(*args: Any, **kwargs: Any) -> Any:
            calls.append("parse")
            return parse(*args, **kwargs)

        def validating(*args: Any, **kwargs: Any) -> Any:
            calls.append("validate")
            return validate(*args, **kwargs)

        monkeypatch.setattr("strawberry.schema.schema.parse", parsing)
        monkeypatch.setattr("gateway.schema.limits_gate.validate", validating)
        # Behind the ValidationCache (gateway.schema.perf_core), Strawberry validates.
        monkeypatch.setattr("strawberry.schema.schema.validate", validating)
        for _ in range(3):
            body = await _post(client, tokens["alice"], extensions=_persisted(sha256(ME)))
            assert "errors" not in body
        assert calls == ["validate"]


def test_a_manifest_with_a_wrong_hash_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({sha256(ME): PING}))
    with pytest.raises(ManifestError, match=r"OCCUPI_TRUSTED_DOCUMENTS: in .*bad\.json"):
        load_trusted_documents(path)
    path.write_text("[1, 2]")
    with pytest.raises(ManifestError, match="is not a JSON object"):
        load_trusted_documents(path)
    path.write_text("{}")
    with pytest.raises(ManifestError, match="holds no documents"):
        load_trusted_documents(path)


def test_a_plain_manifest_maps_hashes_to_documents(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text(json.dumps({sha256(ME).upper(): ME}))
    assert load_trusted_documents(path) == {sha256(ME): ME}


def test_only_the_newest_registrations_are_kept() -> None:
    documents = PersistedDocuments({}, capacity=2)
    queries = ["{ a }", "{ b }", "{ c }"]
    for query in queries:
        assert documents.resolve(query, _persisted(sha256(query))).query == query
    assert documents.resolve(None, _persisted(sha256("{ c }"))).query == "{ c }"
    assert documents.resolve(None, _persisted(sha256("{ b }"))).query == "{ b }"
    forgotten = documents.resolve(None, _persisted(sha256("{ a }")))
    assert forgotten.query is None
    assert forgotten.error is not None
    assert forgotten.error.extensions == {"code": "PERSISTED_QUERY_NOT_FOUND"}
