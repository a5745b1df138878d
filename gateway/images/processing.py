"""Uploaded bytes -> four clean variants, with Pillow. No I/O of its own: it works on
bytes in memory, and is synchronous (the use case runs it in a worker thread).

Recognition is by content only. Pillow is told to try JPEG and PNG and nothing else, the
pixel count is checked from the header before any pixel is decoded, and the whole image
is then decoded, so a truncated or corrupt file is refused rather than half-stored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from domain.errors import invalid
from domain.images import ImageFormat, Quality, variant_size
from gateway.services.image_records import EncodedVariant, ProcessedImage

FIELD = "image"
DEFAULT_MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
_FORMATS = {"JPEG": ImageFormat.JPEG, "PNG": ImageFormat.PNG}
# Modes each encoder takes as they are; others are converted (CMYK JPEG -> RGB, a
# palette PNG -> RGBA, so that LANCZOS can resample it).
_KEPT_MODES = {ImageFormat.JPEG: ("L", "RGB"), ImageFormat.PNG: ("L", "LA", "RGB", "RGBA")}
_TARGET_MODE = {ImageFormat.JPEG: "RGB", ImageFormat.PNG: "RGBA"}
# Decoding problems Pillow reports: OSError (truncated, broken data stream), SyntaxError
# (bad chunk, from verify), ValueError and friends from malformed headers.
_BROKEN = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)


@dataclass(frozen=True)
class ImageProcessing:
    """Satisfies gateway.services.ports.ImageProcessor."""

    max_pixels: int = DEFAULT_MAX_PIXELS

    def __call__(self, data: bytes) -> ProcessedImage:
        if ImageFile.LOAD_TRUNCATED_IMAGES:
            # Somebody switched it on process-wide: truncated files would be padded out
            # with grey and stored, instead of refused.
            raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
        image_format = self._verify(data)
        source = self._decode(data, image_format)
        try:
            upright = ImageOps.exif_transpose(source)
        except _BROKEN:
            upright = source  # an unreadable EXIF block: keep the pixels as they are
        keeps_transparency = image_format is ImageFormat.PNG and "transparency" in upright.info
        if upright.mode not in _KEPT_MODES[image_format] or keeps_transparency:
            upright = upright.convert(_TARGET_MODE[image_format])
        # Nothing of the source's metadata (EXIF with GPS, XMP, ICC, text chunks, comments)
        # is written: the encoders only write what `info` and the save options carry, and
        # every variant inherits this empty `info`.
        upright.info = {}
        variants = {quality: _encode(upright, quality, image_format) for quality in Quality}
        return ProcessedImage(format=image_format, variants=variants)

    def _verify(self, data: bytes) -> ImageFormat:
        """The format, from the content; refuses bombs before decoding a pixel."""
        try:
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as probe:
                image_format = _FORMATS[str(probe.format)]
                self._check_size(*probe.size)
                probe.verify()
        except UnidentifiedImageError:
            raise invalid("the file is not a JPEG or PNG image", FIELD) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise self._too_many_pixels() from None
        except _BROKEN:
            raise invalid("the image is corrupt or truncated", FIELD) from None
        return image_format

    def _decode(self, data: bytes, image_format: ImageFormat) -> Image.Image:
        """verify() leaves the image unusable, so open again and decode every pixel."""
        try:
            with Image.open(io.BytesIO(data), formats=[image_format.name]) as image:
                image.load()  # every pixel decoded; closing the file keeps them
                return image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise self._too_many_pixels() from None
        except _BROKEN:
            raise invalid("the image is corrupt or truncated", FIELD) from None

    def _check_size(self, width: int, height: int) -> None:
        # Our limit is below Pillow's (about 89 megapixels, where it warns, and twice that,
        # where it raises): what Pillow lets through, this refuses before decoding.
        if width < 1 or height < 1:
            raise invalid("the image has no pixels", FIELD)
        if width * height > self.max_pixels:
            raise self._too_many_pixels()

    def _too_many_pixels(self) -> Exception:
        return invalid(
            f"the image has too many pixels: at most {self.max_pixels:,} are accepted", FIELD
        )


def _encode(image: Image.Image, quality: Quality, image_format: ImageFormat) -> EncodedVariant:
    size = variant_size(quality, image.width, image.height)
    resized = (
        image
        if size == image.size
        else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    )
    assert not resized.info, "variants are encoded without the source's metadata"
    out = io.BytesIO()
    if image_format is ImageFormat.JPEG:
        resized.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        resized.save(out, "PNG", optimize=False)
    return EncodedVariant(width=resized.width, height=resized.height, data=out.getvalue())
