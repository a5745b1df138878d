"""OCCUPI_IMAGE_STORE=file:<dir>: variants live as files, records in the database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gateway.app import Gateway
from gateway.settings import Settings
from tests.schema.image_client import fetch, refusal, stored, upload, uploaded
from tests.support import images
from tests.support.graphql import GraphQLClient


@pytest.fixture
def image_dir(tmp_path: Path) -> Path:
    return tmp_path / "image-files"


@pytest.fixture
def settings(settings: Settings, image_dir: Path) -> Settings:
    return replace(settings, image_dir=image_dir)


def folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


async def test_upload_serve_replace_and_delete_with_files(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway, image_dir: Path
) -> None:
    http, alice = client.http, tokens["alice"]
    first = await uploaded(http, alice, images.jpeg(2400, 1200))
    assert folders(image_dir) == [first]
    assert folders(image_dir / first) == ["high", "low", "mid", "thumbnail"]
    assert await stored(gateway) == (1, 0)  # the record in the database, no variant rows
    served = await fetch(http, alice, first, "high")
    assert served.status_code == 200
    assert images.decoded(served.content).size == (2000, 1000)
    assert served.content == (image_dir / first / "high").read_bytes()
    cached = await http.get(
        f"/images/{first}/high",
        headers={"Authorization": f"Bearer {alice}", "If-None-Match": served.headers["etag"]},
    )
    assert cached.status_code == 304
    second = await uploaded(http, alice, images.png())
    assert folders(image_dir) == [second]  # the old variants are gone
    gone = await http.delete("/images/profile", headers={"Authorization": f"Bearer {alice}"})
    assert gone.status_code == 200
    assert folders(image_dir) == []
    assert await stored(gateway) == (0, 0)


async def test_a_refused_upload_leaves_no_file(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway, image_dir: Path
) -> None:
    response = await upload(client.http, tokens["alice"], images.png_declaring(90_000, 90_000))
    refusal(response, 400, "INVALID_INPUT")
    assert folders(image_dir) == []
    assert await stored(gateway) == (0, 0)
