"""The frame around every citizen screen, written in kv (screens/frame.kv) over the plain data
of screens/frame_model.py: a status line (hall, date and weekday, time, terminal number, the
session's time left), the actions every screen offers (language, home, call staff, exit), the
title and, on a multi-step journey, the numbered step bar.

The clock and the timer tick here, once a second, only while the header is on the window;
they change texts of fixed-size labels, so nothing on the screen moves. `restyle()` redraws a
header in another language or theme on the same widgets (home keeps one header for good).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.i18n.messages import N_
from kiosk.session import SessionEnded
from screens.frame_model import StatusLine, Step, StepItem, step_items
from screens.theme import Role, Theme
from screens.widgets import KioskButton, escape, icon, laid_out_characters, with_icon

Builder.load_file(str(Path(__file__).with_name("frame.kv")))

TITLE_SMALLEST = 0.6  # of the full title size: smaller beside wide actions, but never cut


class StatusBlock(BoxLayout):
    hall = StringProperty("")
    terminal = StringProperty("")
    clock = StringProperty("")
    timer = StringProperty("")
    ink = ColorProperty((0, 0, 0, 1))
    muted = ColorProperty((0, 0, 0, 1))
    font_px = NumericProperty(26)


class StepChip(Label):
    fill = ColorProperty((0, 0, 0, 0))
    edge = ColorProperty((0, 0, 0, 0))
    edge_px = NumericProperty(2)


class StepBar(BoxLayout):
    shown: tuple[tuple[StepItem, ...], Theme] | None = None

    def show(self, items: Sequence[StepItem], theme: Theme) -> None:
        if self.shown == (tuple(items), theme):
            return  # a screen drawn again on the same step keeps its chips
        self.shown = (tuple(items), theme)
        self.clear_widgets()
        for item in items:
            style = theme.role("selected" if item.state == "current" else "secondary")
            mark = icon("check") if item.state == "done" else f"{item.number}"
            words = f"{mark} {item.words}"
            chip = StepChip(text=f"[b]{words}[/b]" if item.state == "current" else words,
                            font_size=theme.text_px, color=style.text, fill=style.fill,
                            edge=style.border, edge_px=style.border_px)
            chip.kid = f"stepbar_{item.number}_{item.state}"  # not step_N: the progress timeline's
            self.add_widget(chip)


# The actions every screen offers, left to right: (kid, icon, words — None for the other
# language's own name —, role, width in button heights). Help answers even while the screen
# waits on something; 重听 says again what the terminal last said (kiosk.voice).
ACTIONS: tuple[tuple[str, str, str | None, Role, float], ...] = (
    ("switch_language", "language", None, "secondary", 1.75),
    ("home", "home", N_("Home"), "secondary", 1.75),
    ("repeat_voice", "repeat_voice", N_("Repeat"), "secondary", 1.6),
    ("call_staff", "call_staff", N_("Call staff"), "primary", 2.5),
    ("exit", "exit", N_("Exit"), "danger", 1.75),
)


class ScreenHeader(BoxLayout):
    title = StringProperty("")
    title_kid = StringProperty("screen_title")
    ink = ColorProperty((0, 0, 0, 1))
    title_px = NumericProperty(40)
    status_px = NumericProperty(48)
    top_px = NumericProperty(96)
    steps_px = NumericProperty(0)  # 0: no step bar
    gap = NumericProperty(12)

    def __init__(self, app: Any, *, title: str, busy: Callable[[], bool] = lambda: False,
                 steps: Sequence[Step] = (),
                 screen: str = "", home: bool = True, title_kid: str = "screen_title",
                 **kwargs: Any) -> None:
        super().__init__(title_kid=title_kid, **kwargs)
        self.app = app
        self._steps, self._screen = steps, screen
        callbacks: dict[str, Callable[[], None]] = {
            "switch_language": lambda: app.set_language(self._other_language()),
            "home": app.go_home, "repeat_voice": app.repeat_voice,
            "call_staff": lambda: app.call_staff(), "exit": app.end_session}
        self._actions: dict[str, tuple[KioskButton, str, str | None, float]] = {}
        self._waits: dict[str, Callable[[], bool]] = {}
        for kid, glyph, words, role, factor in ACTIONS:
            if kid == "home" and not home:
                continue
            waits = (lambda: False) if kid == "call_staff" else busy
            # one line, centred, never wrapped (no text_size): as wide as the words need
            button = KioskButton(kid, app.theme, role, markup=True, size_hint_x=None,
                                 halign="center", disabled=waits())
            button.bind(on_release=lambda _w, act=callbacks[kid], waits=waits:
                        None if waits() else act())
            self.ids.top.add_widget(button)
            self._actions[kid] = (button, glyph, words, factor)
            self._waits[kid] = waits
        self._step_bar: StepBar | None = None
        # Fitted first on the tick after its row is laid out on the glass, then at once on
        # each change: a header just added is laid out in steps (0 px, 100 px, ...), and a
        # size fitted to one of those would be drawn for nothing. A title that must shrink may
        # show cut for that first frame.
        self._title_fitted = False
        self._fit_title_soon = Clock.create_trigger(self._fit_title, 0)
        self.ids.title.bind(width=lambda *_a: self._refit_title())
        self.restyle(title)
        self._clock = Clock.schedule_interval(lambda _dt: self.tick(), 1.0)
        self.bind(parent=self._detached)

    def show(self, title: str, steps: Sequence[Step]) -> None:
        """The same header for a screen drawn again (a journey screen keeps one for good):
        its title, step bar, language, theme, and which actions answer while the screen
        waits."""
        self._steps = steps
        for kid, waits in self._waits.items():
            self._actions[kid][0].disabled = waits()
        self.restyle(title)

    def _other_language(self) -> str:
        return "en" if self.app.prefs.language == "zh-CN" else "zh-CN"

    def restyle(self, title: str) -> None:
        """Texts, sizes and colours from the app's language and theme now, on the same widgets
        (home keeps its header; a switch only redraws it)."""
        app = self.app
        theme: Theme = app.theme
        _ = app.translator.gettext
        # two lines of title fit beside the actions, in every mode (the CJK face is 1.45 em
        # from line to line)
        self.title, self.ink = title, theme.foreground
        self._title_full_px = min(theme.title_px, int(theme.button_height_px / 2.9))
        self._refit_title()
        self.status_px, self.top_px = round(theme.small_px * 1.8), theme.button_height_px
        status = self.ids.status
        status.ink, status.muted, status.font_px = theme.foreground, theme.muted, theme.small_px
        for kid, (button, glyph, words, factor) in self._actions.items():
            said = ("English" if self._other_language() == "en" else "中文") if words is None \
                else _(words)
            button.restyle(theme, with_icon(glyph, said))
            button.width = max(round(120 * factor), round(theme.button_height_px * factor))
        items = step_items(self._steps, self._screen, _)
        if items:
            self.steps_px = round(theme.text_px * 1.8)
            if self._step_bar is None:
                self._step_bar = StepBar(size_hint_y=None)
                self.add_widget(self._step_bar, index=0)
            self._step_bar.height = self.steps_px
            self._step_bar.show(items, theme)
        elif self._step_bar is not None:  # the same header on a screen with no steps now
            self.remove_widget(self._step_bar)
            self._step_bar, self.steps_px = None, 0
        self.tick(datetime.now(timezone.utc))  # the date in the language now, on or off the glass

    def _on_glass(self) -> bool:
        label = self.ids.title
        return label.width > 1 and label.get_root_window() is not None

    def _refit_title(self) -> None:
        if self._title_fitted and self._on_glass():
            self._fit_title()
        else:
            self.title_px = self._title_full_px
            self._fit_title_soon()

    def settle(self) -> None:
        """The title fitted now rather than on the next tick (the explorer looks at a screen
        entered this turn, its layout forced)."""
        if self._on_glass():
            self._fit_title()

    def _fit_title(self, *_args: Any) -> None:
        """The title at its full size, made smaller as long as Kivy leaves a line of it out:
        in elder mode in English the actions leave it a narrow column, and its third line was
        dropped without a mark. Each size tried is drawn (Kivy's own layout, in the label's
        texture), and Kivy keeps a font loaded for every size it ever drew, 2-2.5 MB each: so
        only for a title on the glass, and only while it is cut."""
        label = self.ids.title
        self.title_px = self._title_full_px
        if not self._on_glass():
            return  # its width changes when its screen comes on, and calls again
        self._title_fitted = True
        smallest = round(TITLE_SMALLEST * self._title_full_px)
        label.texture_update()
        while self.title_px > smallest:
            shown, whole = laid_out_characters(label)
            if shown >= whole:
                return
            self.title_px = max(smallest, round(self.title_px * 0.9))
            label.texture_update()

    def _detached(self, _w: Any, parent: Any) -> None:
        if parent is None:
            self._clock.cancel()

    def tick(self, now: datetime | None = None) -> None:
        """The status line now (texts only: the labels keep their sizes)."""
        if now is None and self.get_root_window() is None and self.ids.status.clock:
            return  # drawn once; a screen not on the glass does not tick
        if now is None and not self._title_fitted and self._on_glass():
            self._fit_title()  # came on the glass with no change of its width
        app = self.app
        line = StatusLine.at(now or datetime.now(timezone.utc), language=app.prefs.language,
                             hall=app.kiosk_config.terminal.hall(app.prefs.language),
                             terminal_id=app.kiosk_config.terminal.id,
                             seconds_left=self._seconds_left(), _=app.translator.gettext)
        status = self.ids.status
        # the labels take markup (the timer's icon); the hall's name is a site's or a fleet
        # layer's words: text, never markup (a "[font=…]" would name a file to open)
        status.hall, status.terminal = escape(line.hall), line.terminal
        status.clock = f"{line.date}  {line.time}"
        status.timer = with_icon("timer", line.timer) if line.timer else ""

    def _seconds_left(self) -> float | None:
        session = self.app.terminal.sessions.current
        if session is None:
            return None
        try:
            return session.idle.state().seconds_left
        except SessionEnded:
            return None
