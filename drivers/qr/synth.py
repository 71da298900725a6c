"""Synthetic codes and camera frames: what the emulators show and the tests/bench decode.

Degradations imitate what a kiosk camera sees when a citizen holds up a phone or a slip of
paper: rotation, perspective, defocus blur, low contrast, small modules, and phone-screen glare
and moiré (the screen's pixel grid beating against the camera's). All functions are pure and
seeded, so a failing case can be reproduced exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
import zxingcpp

FRAME_SIZE = (1920, 1080)
KINDS = ("clean", "rotation", "perspective", "blur", "low_contrast", "small_modules",
         "glare", "moire")


def code_image(content: str | bytes, fmt: str = "QRCode", ec_level: str = "M") -> np.ndarray:
    """A black-on-white code, one pixel per module, with its quiet zone (uint8 grey).

    `bytes` content is stored in byte mode as given (how most generators store UTF-8 or GBK);
    a `str` lets the encoder choose its modes.
    """
    barcode_format = getattr(zxingcpp.BarcodeFormat, fmt)
    kwargs = {"ec_level": ec_level} if fmt == "QRCode" else {}
    barcode = zxingcpp.create_barcode(content, barcode_format, **kwargs)
    return np.array(zxingcpp.write_barcode_to_image(barcode, scale=1))


def scene(rng: np.random.Generator, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """A plausible background: soft gradients and texture, not a flat grey."""
    width, height = size
    small = rng.integers(60, 200, size=(9, 16, 3), dtype=np.uint8)
    bg = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    noise = rng.normal(0, 6, size=(height, width, 1))
    return np.clip(bg.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def place(code: np.ndarray, module_px: float, frame: np.ndarray, *,
          angle_deg: float = 0.0, tilt: float = 0.0, center: tuple[float, float] | None = None,
          rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw `code` scaled to `module_px` pixels per module onto `frame`, rotated and tilted.

    `tilt` (0..0.4) pulls two corners inwards, like a phone held at an angle.
    """
    rng = rng or np.random.default_rng(0)
    h, w = code.shape[:2]
    height, width = frame.shape[:2]
    cw, ch = w * module_px, h * module_px
    cx, cy = center or (width / 2, height / 2)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    pts = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]])
    if tilt:
        side = int(rng.integers(0, 4))
        a, b = side, (side + 1) % 4
        pts[a] *= 1 - tilt
        pts[b] *= 1 - tilt
    rad = math.radians(angle_deg)
    rot = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]])
    dst = (pts @ rot.T + [cx, cy]).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    code_bgr = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR) if code.ndim == 2 else code
    warped = cv2.warpPerspective(code_bgr, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                 borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (width, height),
                               flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    out = frame.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    return out.astype(np.uint8)


def low_contrast(frame: np.ndarray, lo: int = 105, hi: int = 150) -> np.ndarray:
    return (lo + frame.astype(np.float32) * ((hi - lo) / 255.0)).astype(np.uint8)


def blur(frame: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(frame, (0, 0), sigma)


def glare(frame: np.ndarray, rng: np.random.Generator, center: tuple[float, float],
          radius: float, strength: float = 0.85) -> np.ndarray:
    """A bright reflection on a glossy screen: a soft blob that washes part of the code out."""
    height, width = frame.shape[:2]
    gx, gy = center[0] + rng.uniform(-0.4, 0.4) * radius, center[1] + rng.uniform(-0.4, 0.4) * radius
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    sx, sy = radius * rng.uniform(0.6, 1.0), radius * rng.uniform(0.3, 0.6)
    blob = np.exp(-(((xx - gx) / sx) ** 2 + ((yy - gy) / sy) ** 2))
    out = frame.astype(np.float32)
    out = out + (255 - out) * (strength * blob)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def phone_screen(code: np.ndarray, screen_px_per_module: int = 9) -> np.ndarray:
    """The code as an LCD shows it: RGB sub-pixel stripes and a dark grid between pixels."""
    big = cv2.resize(code, None, fx=screen_px_per_module, fy=screen_px_per_module,
                     interpolation=cv2.INTER_NEAREST).astype(np.float32)
    h, w = big.shape
    cols = np.arange(w) % 3
    rows = np.arange(h) % 3
    screen = np.zeros((h, w, 3), np.float32)
    for channel, phase in ((2, 0), (1, 1), (0, 2)):  # BGR order: R, G, B stripes
        stripe = (cols == phase).astype(np.float32) * 0.85 + 0.15
        screen[..., channel] = big * stripe[None, :]
    screen *= np.where(rows == 2, 0.55, 1.0)[:, None, None]
    # a phone screen's black is not black and its white is a little blue
    screen = 25 + screen * (225 / 255.0)
    return np.clip(screen, 0, 255).astype(np.uint8)


def degraded_frame(kind: str, content: str | bytes, seed: int) -> np.ndarray:
    """One 1920x1080 BGR frame of `kind` (see KINDS) showing a QR code of `content`."""
    rng = np.random.default_rng(seed)
    code = code_image(content)
    frame = scene(rng)
    center = (FRAME_SIZE[0] / 2 + rng.uniform(-300, 300), FRAME_SIZE[1] / 2 + rng.uniform(-150, 150))
    if kind == "clean":
        return place(code, rng.uniform(6, 10), frame, center=center, rng=rng)
    if kind == "rotation":
        return place(code, rng.uniform(5, 9), frame, angle_deg=rng.uniform(10, 350),
                     center=center, rng=rng)
    if kind == "perspective":
        return place(code, rng.uniform(6, 9), frame, angle_deg=rng.uniform(-20, 20),
                     tilt=rng.uniform(0.2, 0.35), center=center, rng=rng)
    if kind == "blur":
        return blur(place(code, rng.uniform(6, 9), frame, angle_deg=rng.uniform(-10, 10),
                          center=center, rng=rng), rng.uniform(2.0, 3.2))
    if kind == "low_contrast":
        placed = place(code, rng.uniform(5, 8), frame, angle_deg=rng.uniform(-10, 10),
                       center=center, rng=rng)
        noisy = low_contrast(placed, int(rng.integers(95, 115)), int(rng.integers(135, 150)))
        return np.clip(noisy + rng.normal(0, 3, noisy.shape), 0, 255).astype(np.uint8)
    if kind == "small_modules":
        return blur(place(code, rng.uniform(1.6, 2.4), frame, angle_deg=rng.uniform(-10, 10),
                          center=center, rng=rng), 0.6)
    if kind == "glare":
        module = rng.uniform(6, 9)
        placed = place(code, module, low_contrast(frame, 60, 200), angle_deg=rng.uniform(-15, 15),
                       center=center, rng=rng)
        return glare(placed, rng, center, code.shape[0] * module * 0.45, rng.uniform(0.75, 0.92))
    if kind == "moire":
        screen = phone_screen(code, 9)
        bg = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
        del bg
        module = rng.uniform(4.0, 6.0)  # camera pixels per module; the screen grid aliases
        placed = place(cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY), module / 9, frame,
                       angle_deg=rng.uniform(-12, 12), tilt=rng.uniform(0, 0.15),
                       center=center, rng=rng)
        return glare(placed, rng, center, code.shape[0] * module * 0.3, rng.uniform(0.3, 0.5))
    raise ValueError(f"unknown degradation kind {kind!r}")


def sample_content(rng: np.random.Generator) -> bytes:
    """A payload like those a government service QR carries (UTF-8 bytes)."""
    templates: list[Callable[[], str]] = [
        lambda: f"https://zwfw.example.gov.cn/q/{rng.integers(10**9, 10**10)}",
        lambda: f"预约号:{rng.integers(100000, 999999)};事项:居住证办理;时段:09:30-10:00",
        lambda: f"TICKET-{rng.integers(1000, 9999)}-{rng.integers(10**5, 10**6)}",
    ]
    return templates[int(rng.integers(0, len(templates)))]().encode("utf-8")
