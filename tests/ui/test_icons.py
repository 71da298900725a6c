"""Every icon a screen names is a glyph of the installed icon font (a missing codepoint would
draw as an empty box), and icon markup never reaches what the UI driver reads as text."""

from __future__ import annotations

from fontTools.ttLib import TTFont

from screens.fonts import ICON_FONT_FILE, ICONS


def test_every_named_icon_is_in_the_font() -> None:
    cmap = TTFont(str(ICON_FONT_FILE)).getBestCmap()
    missing = {name: hex(ord(glyph)) for name, glyph in ICONS.items() if ord(glyph) not in cmap}
    assert missing == {}


def test_icon_markup_is_not_read_as_text() -> None:
    from kivy.uix.label import Label

    from screens.widgets import texts, with_icon

    label = Label(text=with_icon("call_staff", "Call staff [now]"), markup=True)
    assert texts(label) == ["Call staff [now]"]
