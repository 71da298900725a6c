"""Every button's text is readable on its own colour in each theme: high contrast's primary
buttons are white, so their text is black (it was white on white)."""

from __future__ import annotations

import pytest

from screens.theme import theme
from screens.widgets import text_colour_on


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def luminance(c: tuple[float, ...]) -> float:
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("elder", [False, True])
@pytest.mark.parametrize("high_contrast", [False, True])
def test_button_text_meets_wcag_aa_on_every_button_colour(elder: bool,
                                                          high_contrast: bool) -> None:
    t = theme(elder, high_contrast)
    for background in (t.accent, t.tile):
        assert contrast(text_colour_on(background), background) >= 4.5, (background,)
