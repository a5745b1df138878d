"""Reading an image upload: a multipart body of at most 16 MiB, counted as it streams in.

Shared by the gateway's own image routes (gateway.images.http) and the Occupi REST shim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message, Receive

from domain.errors import invalid

MAX_BODY = 16 * 1024 * 1024  # the original's upload limit (LimitRequestBodySize(16<<20))


class _Limit:
    """Counts the body as it streams in and stops reading once it passes the limit. The
    refusal is a MultiPartException so that the form parser closes its spooled files."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.seen = 0
        self.exceeded = False

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > MAX_BODY:
                self.exceeded = True
                raise MultiPartException("the request body is too large")
        return message


class BodyTooLarge(Exception):
    """The upload passed MAX_BODY. `size` is the declared Content-Length, or else how
    much had arrived when reading stopped (a lower bound)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


@dataclass(frozen=True)
class Upload:
    data: bytes
    user: str | None
    fields: Mapping[str, str] = field(default_factory=dict)


async def read_upload(request: Request, extra: Sequence[str] = ()) -> Upload:
    """The `image` file, the `user` field and the text fields named in `extra` of a
    multipart body of at most MAX_BODY."""
    length = request.headers.get("content-length")
    if length is not None:
        if not (length.isascii() and length.isdigit()):
            raise invalid("Content-Length must be a number of bytes")
        if int(length) > MAX_BODY:
            raise BodyTooLarge(int(length))
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise invalid("send the image as multipart/form-data in the field `image`", "image")
    limit = _Limit(request.receive)
    limited = Request(request.scope, limit)
    try:
        async with limited.form(
            max_files=1, max_fields=4 + len(extra), max_part_size=MAX_BODY
        ) as form:
            upload = form.get("image")
            if not isinstance(upload, UploadFile):
                raise invalid("the form has no file in the field `image`", "image")
            user = form.get("user")
            texts = {name: value for name in extra if isinstance(value := form.get(name), str)}
            return Upload(await upload.read(), user if isinstance(user, str) else None, texts)
    except ClientDisconnect:
        # Nobody is left to read the answer; a refusal keeps it out of the error log.
        raise invalid("the upload ended before its body did", "image") from None
    except (HTTPException, MultiPartException) as error:
        if limit.exceeded:
            raise BodyTooLarge(limit.seen) from None
        detail = getattr(error, "detail", None) or getattr(error, "message", "")
        raise invalid(f"the multipart body cannot be read: {detail}", "image") from None
