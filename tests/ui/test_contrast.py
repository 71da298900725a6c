"""Every text colour the theme draws is readable on the fill it is drawn on, in every mode
(WCAG 2: 4.5:1 for text, 7:1 in high contrast), and every control's edge shows against the
screen (WCAG 2.1 1.4.11: 3:1). High contrast's accent buttons were white on white, 1.00:1."""

from __future__ import annotations

import pytest

from screens.theme import ROLES, contrast, readable_on, theme

MODES = [(elder, high) for elder in (False, True) for high in (False, True)]


@pytest.mark.parametrize("elder,high_contrast", MODES)
def test_every_text_reads_on_its_fill(elder: bool, high_contrast: bool) -> None:
    t = theme(elder, high_contrast)
    floor = 7.0 if high_contrast else 4.5
    pairs = list(t.text_pairs())
    assert {name for name, _, _ in pairs} >= set(ROLES) | {"foreground", "error", "success",
                                                            "warning", "muted"}
    for name, text, fill in pairs:
        assert contrast(text, fill) >= floor, (name, text, fill, contrast(text, fill))


@pytest.mark.parametrize("elder,high_contrast", MODES)
def test_keys_given_a_fill_get_readable_text(elder: bool, high_contrast: bool) -> None:
    t = theme(elder, high_contrast)
    floor = 7.0 if high_contrast else 4.5
    for fill in (t.primary, t.tile):
        assert contrast(readable_on(fill), fill) >= floor, fill


@pytest.mark.parametrize("elder,high_contrast", MODES)
def test_every_enabled_control_has_a_visible_edge(elder: bool, high_contrast: bool) -> None:
    t = theme(elder, high_contrast)
    for role in ROLES:
        if role == "disabled":
            continue  # WCAG exempts inactive controls
        style = t.role(role)
        assert contrast(style.border, t.background) >= 3.0, role
        assert style.border_px >= (3 if high_contrast else 2), role


def test_the_grammar_keeps_roles_apart() -> None:
    """Continue is not red; exit/delete is; selected differs from unselected by its edge."""
    for high in (False, True):
        t = theme(False, high)
        assert t.role("primary").fill != t.role("danger").fill
        assert t.role("selected").border_px > t.role("secondary").border_px
        assert t.role("field").fill != t.background  # an input is a field, not the ground
    normal = theme(False, False)
    red = normal.role("danger").fill
    assert red[0] > 0.5 > red[2] and red[1] < 0.3
    assert normal.role("primary").fill[2] > normal.role("primary").fill[0]  # blue, not red
    assert normal.role("secondary").fill == (1.0, 1.0, 1.0, 1.0)  # an outline, not a fill


def test_the_contrast_formula_matches_wcag() -> None:
    assert contrast((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1.0)
    assert contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21.0)
    assert contrast((0.46, 0.46, 0.46, 1), (1, 1, 1, 1)) == pytest.approx(4.6, abs=0.1)
