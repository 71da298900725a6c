"""重听 / Repeat: the last thing the terminal said, said again (a citizen who missed it, or
who turned the volume up). Shown beside 呼叫工作人员 on every citizen screen."""

from __future__ import annotations

from typing import Any

from screens.widgets import KioskButton


def repeat_button(app: Any, **kwargs: Any) -> KioskButton:
    theme = app.theme
    kwargs.setdefault("size_hint_x", None)
    kwargs.setdefault("width", max(180, theme.button_height_px * 2))
    button = KioskButton("repeat_voice", theme, text=app.translator.gettext("Repeat"), **kwargs)
    button.bind(on_release=lambda *_: app.repeat_voice())
    return button
