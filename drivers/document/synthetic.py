"""Synthetic photos of a page on a desk, with known corners, for the emulator, tests and bench.

A Chinese text page (Noto Sans CJK SC) is put in perspective on a textured desk, under a
lighting gradient and a soft shadow, so the detector meets what a document camera sees.
Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_FACE_INDEX = 2  # 0 is the Japanese face; 2 is "Noto Sans CJK SC"
A4_RATIO = 297 / 210

LINES = [
    "居民身份证申领登记表", "申请人：张某某　性别：男　民族：汉",
    "住址：北京市东城区某某街道一号院", "公民身份号码：110101********123X",
    "申请事项：补领　受理单位：某某派出所", "本人承诺以上信息真实有效。",
    "签名：________　日期：2026年11月22日", "附件：户口簿复印件一份，照片两张。",
]


@dataclass(frozen=True)
class SyntheticPhoto:
    image: np.ndarray  # BGR
    corners: np.ndarray  # TL,TR,BR,BL ground truth, float32 4x2
    page: np.ndarray  # the flat page that was photographed (BGR)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_PATH, size, index=SC_FACE_INDEX)
    except OSError:  # no CJK font installed: still a page, Latin placeholder glyphs
        return ImageFont.load_default()


def render_text_page(width: int = 1240, seed: int = 0) -> np.ndarray:
    """An A4-proportioned white page with a title, body lines and a table, as BGR."""
    rng = np.random.default_rng(seed)
    height = round(width * A4_RATIO)
    img = Image.new("RGB", (width, height), (250, 250, 247))
    draw = ImageDraw.Draw(img)
    margin = width // 12
    title = _font(max(12, width // 22))
    body = _font(max(10, width // 40))
    draw.text((margin, margin), LINES[0], font=title, fill=(20, 20, 20))
    y = margin + width // 12
    for i in range(int(rng.integers(14, 22))):
        line = LINES[1 + (i + seed) % (len(LINES) - 1)]
        draw.text((margin, y), line, font=body, fill=(30, 30, 30))
        y += int(width / 40 * 1.9)
        if y > height - margin * 3:
            break
    top = min(y + margin // 2, height - margin * 2)
    for r in range(4):  # a form table near the foot of the page
        yy = top + r * (margin // 2)
        if yy > height - margin:
            break
        draw.line([(margin, yy), (width - margin, yy)], fill=(40, 40, 40), width=2)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def _desk(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    w, h = size
    base = np.array(rng.integers(60, 140, 3), dtype=np.float32)
    noise = rng.normal(0, 1, (max(2, h // 16), max(2, w // 16))).astype(np.float32)
    noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    grain = cv2.resize(rng.normal(0, 1, (h // 4 + 1, 4)).astype(np.float32), (w, h))
    tex = 14 * noise[..., None] + 10 * grain[..., None]
    return np.clip(base[None, None, :] + tex, 0, 255)


def random_corners(size: tuple[int, int], rng: np.random.Generator,
                   fill: tuple[float, float] = (0.45, 0.8)) -> np.ndarray:
    """Corners of a page seen in mild perspective, fully inside the frame."""
    w, h = size
    ph = h * rng.uniform(*fill)
    pw = ph / A4_RATIO * rng.uniform(0.95, 1.05)
    cx = w / 2 + rng.uniform(-0.12, 0.12) * w
    cy = h / 2 + rng.uniform(-0.06, 0.06) * h
    angle = np.radians(rng.uniform(-12, 12))
    rect = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = rect @ rot.T + [cx, cy]
    pts += rng.normal(0, 0.02 * pw, (4, 2))  # perspective: each corner moves a little
    margin = 0.02 * min(w, h)
    pts[:, 0] = np.clip(pts[:, 0], margin, w - margin)
    pts[:, 1] = np.clip(pts[:, 1], margin, h - margin)
    return pts.astype(np.float32)


def photograph(page: np.ndarray, size: tuple[int, int] = (1920, 1080), seed: int = 0,
               corners: np.ndarray | None = None, shadow: bool = True) -> SyntheticPhoto:
    """Put `page` on a desk in perspective; lighting gradient, shadow, sensor noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    if corners is None:
        corners = random_corners(size, rng)
    ph, pw = page.shape[:2]
    src = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(src, np.asarray(corners, dtype=np.float32))
    desk = _desk(size, rng)
    warped = cv2.warpPerspective(page, homography, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), homography, (w, h))
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    img = desk * (1 - alpha) + warped.astype(np.float32) * alpha
    xs = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    light = 0.9 + gx * (xs - 0.5) + gy * (ys - 0.5)
    if shadow:  # a soft shadow, e.g. of the citizen's hand or the camera arm
        sx, sy = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)
        r = rng.uniform(0.15, 0.3)
        d2 = (xs - sx) ** 2 + ((ys - sy) * h / w) ** 2
        light = light * (1 - 0.3 * np.exp(-d2 / (2 * r * r)))
    img = img * light[..., None] + rng.normal(0, 2.0, img.shape).astype(np.float32)
    photo = np.clip(img, 0, 255).astype(np.uint8)
    return SyntheticPhoto(photo, np.asarray(corners, dtype=np.float32), page)


def page_photo(seed: int = 0, size: tuple[int, int] = (1920, 1080)) -> SyntheticPhoto:
    """The usual test fixture: a text page photographed on a desk."""
    page_w = max(300, min(1240, int(size[1] * 0.9 / A4_RATIO * 1.2)))
    return photograph(render_text_page(page_w, seed), size, seed)


def empty_desk(seed: int = 0, size: tuple[int, int] = (1920, 1080)) -> np.ndarray:
    """The camera's view with no page on the desk."""
    rng = np.random.default_rng(seed)
    return np.clip(_desk(size, rng), 0, 255).astype(np.uint8)
