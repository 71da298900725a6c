"""Sizes and colours in one place, for normal, elder (长辈模式) and high-contrast modes.

Touch targets: at least 15 mm. A 21.5" 1920×1080 panel is 476 mm wide, so 1 mm ≈ 4.03 px;
15 mm ≈ 61 px. Buttons here are never smaller than MIN_TARGET_PX.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PANEL_MM_WIDTH = 476.0
PANEL_PX_WIDTH = 1920
PX_PER_MM = PANEL_PX_WIDTH / PANEL_MM_WIDTH
MIN_TARGET_PX = round(15 * PX_PER_MM)  # 61 px

ELDER_TEXT_FACTOR = 1.5


@dataclass(frozen=True)
class Theme:
    text_px: int
    title_px: int
    tile_text_px: int
    button_height_px: int
    background: tuple[float, float, float, float]
    foreground: tuple[float, float, float, float]
    accent: tuple[float, float, float, float]
    tile: tuple[float, float, float, float]
    disabled: tuple[float, float, float, float]


def theme(elder: bool, high_contrast: bool) -> Theme:
    scale = ELDER_TEXT_FACTOR if elder else 1.0
    if high_contrast:
        colours = dict(background=(0, 0, 0, 1), foreground=(1, 1, 0, 1), accent=(1, 1, 1, 1),
                       tile=(0.1, 0.1, 0.1, 1), disabled=(0.5, 0.5, 0.5, 1))
    else:
        colours = dict(background=(0.96, 0.97, 0.99, 1), foreground=(0.1, 0.12, 0.16, 1),
                       accent=(0.76, 0.11, 0.11, 1), tile=(0.09, 0.36, 0.72, 1),
                       disabled=(0.6, 0.62, 0.66, 1))
    return Theme(text_px=round(32 * scale), title_px=round(48 * scale),
                 tile_text_px=round(44 * scale),
                 button_height_px=max(MIN_TARGET_PX, round(96 * scale)), **colours)


def luminance(rgba: Sequence[float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Sequence[float], b: Sequence[float]) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(background: Sequence[float]) -> tuple[float, float, float, float]:
    """White or black text, whichever contrasts more with `background` (high contrast's white
    accent buttons had white text: 1.00:1)."""
    white, black = (1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 1.0)
    return white if contrast(white, background) >= contrast(black, background) else black
