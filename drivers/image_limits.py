"""Image bombs: refuse an encoded image by the size its header declares, before decoding it.

A PNG of 32 KB can declare 30,000 × 30,000 pixels; OpenCV's own limit is 2^30 pixels, so
`cv2.imdecode` would allocate gigabytes before any check on the decoded array could run. Here
the header is read first (Pillow's lazy `Image.open` reads PNG IHDR, JPEG SOF, BMP, TIFF, WebP,
PNM... and nothing more) and an image above the caller's pixel cap, or in a format whose header
we cannot read, is refused unread. Only then is it decoded, with the same bytes.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 50_000_000  # 8K x 6K: no camera or scanner of ours makes more


class ImageRefused(ValueError):
    """`reason`: too_large (declared size above the cap), unreadable (no header we know)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def declared_size(data: bytes | bytearray | memoryview | np.ndarray) -> tuple[int, int]:
    """(width, height) as the header says, without decoding the pixels; ImageRefused if the
    bytes carry no header Pillow can read."""
    raw = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:  # lazy: the header only
                return image.size
    except Image.DecompressionBombError:
        # Pillow's own guard (above twice its limit) also only read the header
        raise ImageRefused("too_large", "the image declares more pixels than Pillow allows"
                           ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused("unreadable", f"no image header ({type(exc).__name__})") from None


def check_declared(data: bytes | bytearray | memoryview | np.ndarray, max_pixels: int
                   ) -> tuple[int, int]:
    """The declared (width, height), or ImageRefused('too_large') above `max_pixels`."""
    width, height = declared_size(data)
    if width * height > max_pixels:
        raise ImageRefused("too_large", f"image {width}x{height} declares more than "
                                        f"{max_pixels} pixels")
    return width, height


def imdecode_capped(data: bytes | np.ndarray, flags: int = cv2.IMREAD_COLOR, *,
                    max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray | None:
    """`cv2.imdecode` behind the header check: ImageRefused before any pixel is decoded;
    None where OpenCV cannot decode what the header promised."""
    buf = data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)
    check_declared(buf, max_pixels)
    try:
        return cv2.imdecode(buf, flags)
    except cv2.error:
        return None
