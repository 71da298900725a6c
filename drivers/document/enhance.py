"""Turn a found page into a clean flat image: warp, deskew, remove shadows, enhance.

Modes: "text" (shadow removed and binarised, for forms and letters), "gray" (shadow removed,
contrast stretched: keeps pencil and stamps), "color" (white-balanced colour, for photos, ID
cards and red seals, which binarisation would destroy).
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from drivers.document.page import ImageError
from drivers.document.page_detect import check_image, to_gray

Mode = Literal["text", "gray", "color"]
A4_RATIO = 297 / 210
MAX_DESKEW_DEG = 15.0  # beyond this the "skew" is more likely a layout than a tilt
SKEW_WORK_SIZE = 600  # px; 0.1 degree resolution, and 3x faster than at 1000 px


def page_size(quad: np.ndarray) -> tuple[int, int]:
    """Output width/height from the quad's side lengths, snapped to A4 when within 6%."""
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    width = max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3]))
    height = max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1]))
    if width < 8 or height < 8:
        raise ImageError("degenerate_quad", "page outline is too small to warp")
    ratio = height / width
    for target in (A4_RATIO, 1 / A4_RATIO):
        if abs(ratio / target - 1) < 0.06:
            height = width * target
    return int(np.rint(width)), int(np.rint(height))


def warp(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct the page at full resolution."""
    image = check_image(image)
    w, h = page_size(quad)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(np.asarray(quad, dtype=np.float32).reshape(4, 2), dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def normalise_angle(angle: float, size: tuple[float, float] | None = None) -> float:
    """minAreaRect's angle as a tilt in (-45, 45]: it says -90 (or 90) for an upright page."""
    a = float(angle) % 90.0
    if a > 45.0:
        a -= 90.0
    return a


def skew_angle(image: np.ndarray) -> float:
    """Tilt of the text block in degrees (positive = clockwise on screen), 0 if no text."""
    gray = to_gray(check_image(image))
    scale = min(1.0, SKEW_WORK_SIZE / max(gray.shape))
    if scale < 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 50 or len(pts) > 0.5 * ink.size:
        return 0.0
    (_, _), (_, _), angle = cv2.minAreaRect(pts)
    return normalise_angle(angle)


def deskew(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Rotate a scanned page upright; returns (image, angle corrected)."""
    angle = skew_angle(image)
    if abs(angle) < 0.3 or abs(angle) > MAX_DESKEW_DEG:
        return image, 0.0
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    return out, angle


def _background(channel: np.ndarray) -> np.ndarray:
    """Paper brightness without ink: dilate (erase dark strokes), then a wide median blur."""
    scale = min(1.0, 800 / max(channel.shape))
    small = cv2.resize(channel, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else channel
    bg = cv2.dilate(small, np.ones((7, 7), np.uint8))
    bg = cv2.medianBlur(bg, 21)
    if scale < 1.0:
        bg = cv2.resize(bg, (channel.shape[1], channel.shape[0]), interpolation=cv2.INTER_LINEAR)
    return bg


def remove_shadow(image: np.ndarray) -> np.ndarray:
    """Divide each channel by its estimated paper background: shadows and gradients go."""
    image = check_image(image)
    channels = [image] if image.ndim == 2 else list(cv2.split(image))
    out = [cv2.divide(c, np.maximum(_background(c), 1), scale=255) for c in channels]
    return out[0] if len(out) == 1 else cv2.merge(out)


def stretch(gray: np.ndarray) -> np.ndarray:
    """Contrast stretch between the 1st and 99th percentile."""
    hist = np.cumsum(cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel())
    lo = float(np.searchsorted(hist, 0.01 * hist[-1]))
    hi = float(np.searchsorted(hist, 0.99 * hist[-1]))
    if hi - lo < 8:
        return gray
    return cv2.convertScaleAbs(gray, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def binarise(gray: np.ndarray) -> np.ndarray:
    block = max(15, (min(gray.shape) // 40) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY,
                                 block, 15)


def enhance(image: np.ndarray, mode: Mode = "text") -> np.ndarray:
    """Shadow removal and enhancement on an already flat page."""
    image = check_image(image)
    if mode == "color":
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        return remove_shadow(image)
    if mode not in ("text", "gray"):
        raise ValueError(f"unknown enhancement mode {mode!r}")
    flat = stretch(remove_shadow(to_gray(image)))
    return binarise(flat) if mode == "text" else flat


def process(image: np.ndarray, quad: np.ndarray | None, mode: Mode = "text") -> np.ndarray:
    """The full path for one frame: warp (or deskew when there is no outline) and enhance."""
    if quad is not None:
        flat = warp(image, quad)
    else:
        flat, _ = deskew(check_image(image))
    return enhance(flat, mode)
