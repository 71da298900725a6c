"""Pictures the kiosk core hands over as PNG (a certificate's preview, a payment's QR code),
decoded on the worker that fetched them, so that the main loop only uploads pixels.

Kivy's own loader (`kivy.core.image.Image` from bytes) decodes on the thread that asks, and
picks its loader by asking each for its extensions: Pillow's answer imports every Pillow plugin
the first time (95 ms, once per process). On the main loop that stalled a certificate
preview's first visit for ~100 ms, and every visit for the decode (issue 16).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from kivy.graphics.texture import Texture
from PIL import Image


@dataclass(frozen=True)
class Pixels:
    """A decoded picture, rows from the top, RGBA (4 bytes a pixel: GL takes its rows
    without any alignment question)."""

    width: int
    height: int
    rgba: bytes


def decode_png(png: bytes) -> Pixels:
    """Call off the main loop. Only Pillow's PNG plugin is asked (no plugin scan)."""
    with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
        rgba = image.convert("RGBA")
    return Pixels(rgba.width, rgba.height, rgba.tobytes())


def texture_of(pixels: Pixels, *, sharp: bool = False) -> Texture:
    """On the main loop: one texture, one upload. `sharp`: nearest-pixel scaling (a QR code's
    modules stay square edged)."""
    texture = Texture.create(size=(pixels.width, pixels.height), colorfmt="rgba")
    texture.flip_vertical()  # rows come from the top; GL's first row is the bottom one
    texture.blit_buffer(pixels.rgba, colorfmt="rgba", bufferfmt="ubyte")
    if sharp:
        texture.mag_filter = texture.min_filter = "nearest"
    return texture
