"""Sizes and colours in one place, for normal, elder (长辈模式) and high-contrast modes.

Touch targets: at least 15 mm. A 21.5" 1920×1080 panel is 476 mm wide, so 1 mm ≈ 4.03 px;
15 mm ≈ 61 px. Buttons here are never smaller than MIN_TARGET_PX.

One colour grammar (GOV.UK / USWDS): a screen asks for a ROLE, never a colour.
- primary: the one "continue" action, filled in the primary colour (blue; yellow in high
  contrast);
- secondary: everything else, an outline (a visible border, the text in the foreground colour);
- danger: red, only for exit and delete;
- tile: a home tile, a card with an edge;
- field: an input, a white field with a border (never a filled button);
- selected: shown by a thick border and a ✓, never by colour alone;
- success (green) and warning (amber) are text colours, always with an icon and a word.
High contrast: black ground, yellow text, black on yellow/white accents, borders >= 3 px.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

PANEL_MM_WIDTH = 476.0
PANEL_PX_WIDTH = 1920
PX_PER_MM = PANEL_PX_WIDTH / PANEL_MM_WIDTH
MIN_TARGET_PX = round(15 * PX_PER_MM)  # 61 px

ELDER_TEXT_FACTOR = 1.5

RGBA = tuple[float, float, float, float]
Role = Literal["primary", "secondary", "danger", "tile", "field", "selected", "disabled"]
ROLES: tuple[Role, ...] = ("primary", "secondary", "danger", "tile", "field", "selected",
                           "disabled")


@dataclass(frozen=True)
class RoleStyle:
    """How a control of one role is drawn: its fill, its text and its edge."""

    fill: RGBA
    text: RGBA
    border: RGBA
    border_px: int


@dataclass(frozen=True)
class Theme:
    text_px: int
    title_px: int
    tile_text_px: int
    small_px: int  # the header's status line (hall, clock, terminal, timer)
    button_height_px: int
    background: RGBA
    foreground: RGBA
    muted: RGBA  # secondary text on the background (the header's status line)
    primary: RGBA  # the "continue" fill
    tile: RGBA  # the fill of a neutral control (secondary buttons, keys)
    disabled: RGBA
    error: RGBA  # text: what went wrong (with ⚠ and a word)
    success: RGBA  # text: done (with ✓ and a word)
    warning: RGBA  # text: needs attention (with ⚠ and a word)
    border_px: int
    styles: tuple[tuple[Role, RoleStyle], ...]

    @property
    def accent(self) -> RGBA:
        """The primary fill under its former name (screens not yet asking for a role)."""
        return self.primary

    def role(self, name: Role) -> RoleStyle:
        return dict(self.styles)[name]

    def text_pairs(self) -> Iterator[tuple[str, RGBA, RGBA]]:
        """Every text colour on every fill this theme draws (tests/ui/test_contrast.py)."""
        for name, style in self.styles:
            yield name, style.text, style.fill
        for name in ("foreground", "muted", "error", "success", "warning"):
            yield name, getattr(self, name), self.background


def _normal() -> dict:
    white, ink = (1.0, 1.0, 1.0, 1.0), (0.10, 0.12, 0.16, 1.0)
    primary, edge = (0.05, 0.33, 0.63, 1.0), (0.42, 0.45, 0.52, 1.0)
    return dict(
        background=(0.96, 0.97, 0.99, 1.0), foreground=ink, muted=(0.30, 0.33, 0.39, 1.0),
        primary=primary, tile=white, disabled=(0.88, 0.89, 0.91, 1.0),
        error=(0.70, 0.11, 0.11, 1.0), success=(0.0, 0.42, 0.18, 1.0),
        warning=(0.55, 0.32, 0.0, 1.0), border_px=2,
        styles=(("primary", RoleStyle(primary, white, primary, 2)),
                ("secondary", RoleStyle(white, ink, edge, 2)),
                ("danger", RoleStyle((0.70, 0.11, 0.11, 1.0), white, (0.70, 0.11, 0.11, 1.0), 2)),
                ("tile", RoleStyle(white, ink, edge, 2)),
                ("field", RoleStyle(white, ink, edge, 2)),
                ("selected", RoleStyle((0.89, 0.94, 1.0, 1.0), ink, primary, 6)),
                ("disabled", RoleStyle((0.88, 0.89, 0.91, 1.0), (0.33, 0.35, 0.40, 1.0),
                                       (0.70, 0.72, 0.76, 1.0), 2))))


def _high_contrast() -> dict:
    black, yellow, white = (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 0.0, 1.0), (1.0, 1.0, 1.0, 1.0)
    return dict(
        background=black, foreground=yellow, muted=white, primary=yellow,
        tile=black, disabled=(0.2, 0.2, 0.2, 1.0),
        error=(1.0, 0.62, 0.62, 1.0), success=(0.45, 1.0, 0.45, 1.0),
        warning=(1.0, 0.78, 0.0, 1.0), border_px=3,
        styles=(("primary", RoleStyle(yellow, black, yellow, 3)),
                ("secondary", RoleStyle(black, yellow, yellow, 3)),
                ("danger", RoleStyle(white, black, white, 3)),
                ("tile", RoleStyle(black, yellow, yellow, 3)),
                ("field", RoleStyle(white, black, yellow, 3)),
                ("selected", RoleStyle(black, white, white, 7)),
                ("disabled", RoleStyle((0.2, 0.2, 0.2, 1.0), (0.8, 0.8, 0.8, 1.0),
                                       (0.6, 0.6, 0.6, 1.0), 3))))


def theme(elder: bool, high_contrast: bool) -> Theme:
    scale = ELDER_TEXT_FACTOR if elder else 1.0
    colours = _high_contrast() if high_contrast else _normal()
    return Theme(text_px=round(32 * scale), title_px=round(48 * scale),
                 tile_text_px=round(44 * scale), small_px=round(26 * scale),
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


def readable_on(background: Sequence[float]) -> RGBA:
    """White or black text, whichever contrasts more with `background` (high contrast's white
    accent buttons had white text: 1.00:1)."""
    white, black = (1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 1.0)
    return white if contrast(white, background) >= contrast(black, background) else black
