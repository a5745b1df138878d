"""HTTP routes for images. They parse and render; the Images use cases decide.

- `POST /images/profile` (multipart field `image`, optional field `user` naming another
  user for admins), `DELETE /images/profile` (optional query `user`);
- `POST /images/rooms/{room}`, `DELETE /images/rooms/{room}` (admins);
- `GET /images/{id}/{quality}` for signed-in callers who may see the image, with an ETag
  (a conditional GET answers 304) and private caching;
- `GET /images/defaults/{profile|room}/{quality}`: the bundled default images, public.
An unknown quality means `mid`. Errors are JSON `{"error": {"code", "message", "field"}}`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from domain.errors import DomainError, ErrorCode
from domain.images import OwnerKind, Quality, quality_of
from gateway.images.uploads import MAX_BODY, BodyTooLarge, read_upload
from gateway.images.urls import urls
from gateway.schema.ids import ROOM, USER, code_ref, number_ref
from gateway.services.authz import ANONYMOUS, Principal
from gateway.services.image_records import ImageRecord
from gateway.services.images import Images

PRIVATE_CACHE = "private, max-age=86400"
PUBLIC_CACHE = "public, max-age=86400"
TOO_LARGE = "PAYLOAD_TOO_LARGE"
_STATUS = {
    ErrorCode.INVALID_INPUT: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
}


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status)


def _too_large() -> JSONResponse:
    return _error(413, TOO_LARGE, f"the request body is larger than {MAX_BODY} bytes (16 MiB)")


def _refusal(error: DomainError) -> JSONResponse:
    return _error(_STATUS.get(error.code, 400), error.code.value, error.message, error.field)


def _principal(request: Request) -> Principal:
    found = request.scope.get("auth")
    return found if isinstance(found, Principal) else ANONYMOUS


def _image_json(kind: OwnerKind, record: ImageRecord | None) -> dict[str, object]:
    return {
        "id": record.id if record else None,
        "hasImage": record is not None,
        "format": record.format.value if record else None,
        "urls": {q.value: url for q, url in urls(kind, record.id if record else None).items()},
    }


@dataclass(frozen=True)
class DefaultImage:
    data: bytes
    etag: str


def _defaults() -> dict[tuple[OwnerKind, Quality], DefaultImage]:
    folder = files("gateway.images") / "defaults"
    found = {}
    for kind in OwnerKind:
        for quality in Quality:
            data = (folder / f"{kind.value}-{quality.value}.png").read_bytes()
            found[(kind, quality)] = DefaultImage(data, f'"{hashlib.sha256(data).hexdigest()}"')
    return found


def _matches(request: Request, etag: str) -> bool:
    """If-None-Match, compared weakly (RFC 9110 §13.1.2)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _send(request: Request, data: bytes, etag: str, media_type: str, cache: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


def routes(images: Images) -> list[BaseRoute]:
    defaults = _defaults()

    async def upload_profile(request: Request) -> Response:
        try:
            _principal(request).require()  # before reading 16 MiB for nothing
            upload = await read_upload(request)
            user = number_ref(upload.user, USER, "user") if upload.user else None
            record = await images.upload_profile(_principal(request), upload.data, user)
        except BodyTooLarge:
            return _too_large()
        except DomainError as error:
            return _refusal(error)
        return JSONResponse({"image": _image_json(OwnerKind.PROFILE, record)}, 201)

    async def delete_profile(request: Request) -> Response:
        raw = request.query_params.get("user")
        try:
            user = number_ref(raw, USER, "user") if raw else None
            await images.delete_profile(_principal(request), user)
        except DomainError as error:
            return _refusal(error)
        return JSONResponse({"image": _image_json(OwnerKind.PROFILE, None)})

    async def upload_room(request: Request) -> Response:
        try:
            room = code_ref(request.path_params["room"], ROOM, "room")
            _principal(request).require_admin()  # before reading 16 MiB for nothing
            upload = await read_upload(request)
            record = await images.upload_room(_principal(request), room, upload.data)
        except BodyTooLarge:
            return _too_large()
        except DomainError as error:
            return _refusal(error)
        return JSONResponse({"image": _image_json(OwnerKind.ROOM, record)}, 201)

    async def delete_room(request: Request) -> Response:
        try:
            room = code_ref(request.path_params["room"], ROOM, "room")
            await images.delete_room(_principal(request), room)
        except DomainError as error:
            return _refusal(error)
        return JSONResponse({"image": _image_json(OwnerKind.ROOM, None)})

    async def variant(request: Request) -> Response:
        quality = quality_of(request.path_params["quality"])
        try:
            found = await images.variant(_principal(request), request.path_params["id"], quality)
        except DomainError as error:
            return _refusal(error)
        return _send(request, found.data, found.etag, found.media_type, PRIVATE_CACHE)

    async def default(request: Request) -> Response:
        try:
            kind = OwnerKind(request.path_params["kind"])
        except ValueError:
            return _error(404, ErrorCode.NOT_FOUND.value, "defaults exist for profile and room")
        image = defaults[(kind, quality_of(request.path_params["quality"]))]
        return _send(request, image.data, image.etag, "image/png", PUBLIC_CACHE)

    return [
        Route("/images/profile", upload_profile, methods=["POST"]),
        Route("/images/profile", delete_profile, methods=["DELETE"]),
        Route("/images/rooms/{room:path}", upload_room, methods=["POST"]),
        Route("/images/rooms/{room:path}", delete_room, methods=["DELETE"]),
        Route("/images/defaults/{kind}/{quality}", default, methods=["GET", "HEAD"]),
        Route("/images/{id}/{quality}", variant, methods=["GET", "HEAD"]),
    ]
