"""Draws the neutral default profile and room images once; their PNGs are committed as
package data under gateway/images/defaults/. Run again only to change them:
`.venv/bin/python scripts/make_default_images.py`."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from domain.images import Quality, variant_size

FOLDER = Path(__file__).resolve().parent.parent / "gateway" / "images" / "defaults"
BACKGROUND, FIGURE = (226, 230, 235), (160, 168, 178)


def profile(side: int) -> Image.Image:
    """A grey head and shoulders on a light square."""
    image = Image.new("RGB", (side, side), BACKGROUND)
    draw = ImageDraw.Draw(image)
    u = side / 20
    draw.ellipse((7 * u, 3.5 * u, 13 * u, 9.5 * u), fill=FIGURE)
    draw.ellipse((3.5 * u, 11 * u, 16.5 * u, 24 * u), fill=FIGURE)
    return image


def room(width: int, height: int) -> Image.Image:
    """A door and a window on a light wall, 4:3."""
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    u = width / 40
    draw.rectangle((6 * u, 9 * u, 15 * u, 30 * u), fill=FIGURE)
    draw.rectangle((21 * u, 8 * u, 34 * u, 18 * u), outline=FIGURE, width=max(1, round(u)))
    draw.line((27.5 * u, 8 * u, 27.5 * u, 18 * u), fill=FIGURE, width=max(1, round(u / 2)))
    return image


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for quality in Quality:
        side = variant_size(quality, 2000, 2000)[0]
        profile(side).save(FOLDER / f"profile-{quality.value}.png", optimize=True)
        room(*variant_size(quality, 2000, 1500)).save(
            FOLDER / f"room-{quality.value}.png", optimize=True
        )


if __name__ == "__main__":
    main()
