"""Real images made with Pillow for the image tests, and hostile files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

SECRET = "secret-location-51.5N"
ORIENTATION = 0x0112


def halves(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue, so a rotation shows."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image.convert(mode) if mode != "RGB" else image


def jpeg(width: int = 300, height: int = 100, *, orientation: int | None = None) -> bytes:
    """A JPEG carrying EXIF (with GPS), XMP, an ICC blob and a comment."""
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[ExifTags.Base.ImageDescription] = SECRET
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 0.0)
    out = io.BytesIO()
    halves(width, height).save(
        out,
        "JPEG",
        exif=exif.tobytes(),
        xmp=f"<x:xmpmeta>{SECRET}</x:xmpmeta>".encode(),
        icc_profile=SECRET.encode(),
        comment=SECRET.encode(),
        quality=95,
    )
    return out.getvalue()


def png(width: int = 300, height: int = 100, *, mode: str = "RGBA") -> bytes:
    """A PNG with text chunks and EXIF."""
    info = PngInfo()
    info.add_text("Location", SECRET)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SECRET}</x:xmpmeta>")
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = SECRET
    out = io.BytesIO()
    halves(width, height, mode).save(out, "PNG", pnginfo=info, exif=exif.tobytes())
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    halves(20, 20).save(out, "GIF")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
