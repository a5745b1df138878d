"""Image processing with real Pillow images: recognition by content, refusals, orientation,
metadata stripped, variant sizes, formats kept."""

from __future__ import annotations

import io

import pytest

from domain.errors import DomainError, ErrorCode
from domain.images import ImageFormat, Quality
from gateway.images.processing import ImageProcessing
from tests.support import images

process = ImageProcessing()


def refusal(data: bytes, processor: ImageProcessing = process) -> DomainError:
    with pytest.raises(DomainError) as caught:
        processor(data)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == "image"
    return caught.value


def test_a_big_jpeg_gets_four_jpeg_variants_of_the_documented_sizes() -> None:
    result = process(images.jpeg(4000, 3000))
    assert result.format is ImageFormat.JPEG
    expected = {
        Quality.THUMBNAIL: (200, 150),
        Quality.LOW: (600, 450),
        Quality.MID: (1200, 900),
        Quality.HIGH: (2000, 1500),
    }
    for quality, size in expected.items():
        variant = result.variants[quality]
        image = images.decoded(variant.data)
        assert image.format == "JPEG"
        assert image.mode == "RGB"
        assert image.size == size == (variant.width, variant.height)


def test_a_small_image_is_never_upscaled() -> None:
    result = process(images.png(150, 90))
    assert result.format is ImageFormat.PNG
    for variant in result.variants.values():
        image = images.decoded(variant.data)
        assert image.format == "PNG"
        assert image.size == (150, 90)


def test_a_png_stays_a_png_and_keeps_its_transparency() -> None:
    result = process(images.png(800, 400))
    image = images.decoded(result.variants[Quality.LOW].data)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (600, 300))


@pytest.mark.parametrize("mode", ["P", "L", "LA", "I;16", "1"])
def test_any_png_mode_is_accepted(mode: str) -> None:
    result = process(images.png(700, 100, mode=mode))
    image = images.decoded(result.variants[Quality.LOW].data)
    assert image.format == "PNG"
    assert image.size == (600, 86)


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    out = io.BytesIO()
    images.halves(100, 50).convert("CMYK").save(out, "JPEG")
    image = images.decoded(process(out.getvalue()).variants[Quality.MID].data)
    assert (image.format, image.mode) == ("JPEG", "RGB")


def test_exif_orientation_is_applied() -> None:
    # Orientation 6: the camera was turned; the picture is shown turned 90 degrees clockwise.
    result = process(images.jpeg(300, 100, orientation=6))
    image = images.decoded(result.variants[Quality.HIGH].data).convert("RGB")
    assert image.size == (100, 300)
    red, blue = image.getpixel((50, 20)), image.getpixel((50, 280))
    assert isinstance(red, tuple)
    assert isinstance(blue, tuple)
    assert red[0] > 200
    assert red[2] < 60
    assert blue[2] > 200
    assert blue[0] < 60
    assert not image.getexif()


@pytest.mark.parametrize("make", [images.jpeg, images.png], ids=["jpeg", "png"])
def test_every_variant_is_stripped_of_metadata(make: object) -> None:
    assert callable(make)
    source = make()
    assert images.SECRET.encode() in source
    for variant in process(source).variants.values():
        assert images.SECRET.encode() not in variant.data
        assert b"Exif" not in variant.data
        assert b"xmpmeta" not in variant.data
        image = images.decoded(variant.data)
        assert not image.getexif()
        assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "Location"}


def test_recognised_by_content_not_by_name() -> None:
    # Nothing but the bytes reaches the processor; a PNG is a PNG whatever it was called.
    assert process(images.png()).format is ImageFormat.PNG
    assert process(images.jpeg()).format is ImageFormat.JPEG


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, not an image", b"%PDF-1.4\n", images.gif(), b"\x89PNG\r\n\x1a\n"],
    ids=["empty", "text", "pdf", "gif", "png-signature-only"],
)
def test_anything_but_jpeg_or_png_is_refused(data: bytes) -> None:
    error = refusal(data)
    assert "not a JPEG or PNG" in error.message or "corrupt" in error.message


@pytest.mark.parametrize("make", [images.jpeg, images.png], ids=["jpeg", "png"])
def test_a_truncated_image_is_refused(make: object) -> None:
    assert callable(make)
    whole = make(600, 400)
    error = refusal(whole[: len(whole) * 2 // 3])
    assert "corrupt or truncated" in error.message


def test_a_corrupt_image_is_refused() -> None:
    whole = bytearray(images.png(300, 200))
    start = whole.index(b"IDAT") + 40
    whole[start : start + 20] = b"\xff" * 20  # breaks the pixel data and its checksum
    assert "corrupt or truncated" in refusal(bytes(whole)).message


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 8000), (12_000, 12_000), (100_000, 100_000)],
    ids=["over-our-limit", "over-pillows-warning", "over-pillows-error"],
)
# Pillow warns of the middle one as it opens it; the refusal, not the warning, is tested.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    error = refusal(images.png_declaring(width, height))
    assert "too many pixels" in error.message


def test_the_pixel_limit_is_configurable() -> None:
    small = ImageProcessing(max_pixels=10_000)
    assert "at most 10,000" in refusal(images.png(200, 100), small).message
    assert small(images.png(100, 100)).format is ImageFormat.PNG


def test_a_png_transparency_colour_survives_as_alpha() -> None:
    out = io.BytesIO()
    images.halves(100, 50).save(out, "PNG", transparency=(255, 0, 0))  # red is see-through
    image = images.decoded(process(out.getvalue()).variants[Quality.MID].data)
    assert image.mode == "RGBA"
    assert image.getpixel((10, 10)) == (255, 0, 0, 0)
    assert image.getpixel((90, 10)) == (0, 0, 255, 255)


def test_truncated_images_stay_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="must stay False"):
        process(images.png())
