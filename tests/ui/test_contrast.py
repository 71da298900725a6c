"""Every button's text is readable on its own background in every mode (WCAG 2: 4.5:1 for
text, 7:1 in high contrast). High contrast's accent buttons were white on white, 1.00:1."""

from __future__ import annotations

import pytest

from screens.theme import contrast, readable_on, theme


@pytest.mark.parametrize("elder", [False, True])
@pytest.mark.parametrize("high_contrast", [False, True])
def test_button_text_reads_on_every_button_colour(elder: bool, high_contrast: bool) -> None:
    t = theme(elder, high_contrast)
    floor = 7.0 if high_contrast else 4.5
    for name in ("accent", "tile"):
        background = getattr(t, name)
        assert contrast(readable_on(background), background) >= floor, (name, background)


def test_the_contrast_formula_matches_wcag() -> None:
    assert contrast((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1.0)
    assert contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21.0)
    assert contrast((0.46, 0.46, 0.46, 1), (1, 1, 1, 1)) == pytest.approx(4.6, abs=0.1)
