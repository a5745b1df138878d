"""Uploading and fetching images over HTTP against the real app, and what is stored."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from gateway.app import Gateway
from gateway.store.tables import image_variants, images


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    data: bytes,
    *,
    path: str = "/images/profile",
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    user: str | None = None,
) -> httpx.Response:
    form = {"user": user} if user else {}
    files = {"image": (filename, data, content_type)}
    return await http.post(path, files=files, data=form, headers=bearer(token))


async def uploaded(http: httpx.AsyncClient, token: str, data: bytes, **kwargs: str) -> str:
    """Upload that must succeed; the new image's id."""
    response = await upload(http, token, data, **kwargs)
    assert response.status_code == 201, response.text
    image_id: str = response.json()["image"]["id"]
    return image_id


async def fetch(
    http: httpx.AsyncClient, token: str | None, image_id: str, quality: str = "mid"
) -> httpx.Response:
    return await http.get(f"/images/{image_id}/{quality}", headers=bearer(token))


async def stored(gateway: Gateway) -> tuple[int, int]:
    """How many image records and variant rows the database holds."""
    async with gateway.db.engine.connect() as connection:
        records = (await connection.execute(select(func.count()).select_from(images))).scalar()
        variants = (
            await connection.execute(select(func.count()).select_from(image_variants))
        ).scalar()
    return int(records or 0), int(variants or 0)


def refusal(response: httpx.Response, status: int, code: str) -> str:
    """The JSON error of a refused request; its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    message: str = error["message"]
    return message
