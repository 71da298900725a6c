"""The frame every journey screen shares: a header (screens.frame: the hall, clock, terminal
and session timer; language, home, call staff, exit; the title and the journey's step bar),
the body, a line for what went wrong, and the actions along the bottom. The idle warning is not part of
it: it is a dialog above the screen (screens.dialog), so nothing here moves when it appears.

A subclass draws from state it already holds (`draw_body`, `actions`), so `refresh()` can
rebuild it at any moment for a language or mode change without touching a device or the
network. Blocking work goes through `work()`: the screen shows "please wait", its buttons stop
answering, and the result comes back on the main loop only if the session is still the one
that asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.journeys.problems import spoken_msgid
from screens import background
from screens.frame import ScreenHeader
from screens.help import help_button
from screens.lines import STATUS_ICONS, Status
from screens.theme import Role
from screens.widgets import (KioskButton, action_button, escape, icon, paint_ground,
                             lay_out_now, repaint_background, text_label, with_icon,
                             wrapped_height)

# kid, words, callback, role (screens.theme: primary = continue, danger = exit/delete; a bool
# still means primary?)
Action = tuple[str, str, Callable[[], None], Role | bool]
PROBLEM_SPACING = 20


class JourneyScreen(Screen):
    title_msgid = ""
    # a screen whose problem line comes by itself (a camera's page taken while the citizen
    # only waits) keeps its room: a message appearing moves nothing
    keeps_problem_room = False

    def __init__(self, app, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.problem: str | None = None  # what went wrong, already in the citizen's words
        self.busy = False
        self.body_room = 0.0  # px the body may take, as `refresh` last measured the frame
        self.root_box = BoxLayout(orientation="vertical", padding=(40, 24), spacing=16)
        paint_ground(self.root_box, app.theme.background)
        self.add_widget(self.root_box)
        # built when the screen is first drawn (most are never shown in a visit: their
        # texts' textures would sit in memory), then redrawn in place: a header is a few dozen
        # widgets, and a screen is drawn again on every switch and twice around each `work()`
        self.header: ScreenHeader | None = None
        # parts that outlive a refresh (a list view's buttons): each lets go at a visit's end
        self.kept_parts: list[Any] = []

    def _(self, msgid: str, **params: Any) -> str:
        return self.app.translator.gettext(msgid, **params)

    # ---- for subclasses ----------------------------------------------------------------------

    def on_pre_enter(self, *_args: Any) -> None:
        """A screen shown again starts without the last visit's problem, drawn afresh."""
        self.problem = None
        self.refresh()

    def draw_body(self, box: BoxLayout) -> None:
        raise NotImplementedError

    def language_changed(self) -> None:
        """The citizen switched language on this screen, before it is drawn again: a screen
        that holds words its journey gave in the other language asks for them again (no
        I/O). What a journey fetched keeps both languages (kiosk.journeys.base.Words)."""

    def shown_steps(self) -> Sequence[Any]:
        """The journey's steps for the header's step bar (none outside a journey)."""
        return getattr(getattr(self, "flow", None), "steps", ())

    def actions(self) -> list[Action]:
        return []

    @property
    def body_width(self) -> float:
        """The width the body's lines wrap at: the window less the frame's side padding."""
        return self.app.manager.width - sum(self.root_box.padding[::2])

    def label(self, text: str, **kwargs: Any) -> Label:
        return text_label(self.app.theme, text, **kwargs)

    def lines_height(self, text: str, size: int | None = None, padding: int = 0) -> int:
        """The height `text`'s lines take at `size` (the body text's by default): for a
        label or a list's button that must not share out the body's height and cut them."""
        return round((size or self.app.theme.text_px) * 1.5 * (text.count("\n") + 1)) + padding

    def button(self, kid: str, text: str, callback: Callable[[], None],
               **kwargs: Any) -> KioskButton:
        return action_button(self.app.theme, kid, text, callback, busy=lambda: self.busy,
                             **kwargs)

    def status(self, kind: Status, text: str, **kwargs: Any) -> Label:
        """A line that reports how things went: its icon and its colour (success ✓ green,
        warning ⚠ amber, error ⚠ red), never the colour alone."""
        line = self.label(with_icon(STATUS_ICONS[kind], text), markup=True, **kwargs)
        line.color = getattr(self.app.theme, kind)
        return line

    def empty(self, box: BoxLayout, kid: str, headline: str, why: str,
              offers: Sequence[tuple[str, str, Callable[[], None]]]) -> None:
        """An empty list says so, says why, and offers what to do next (the first offer is the
        likely next step); `offers` are (kid, words, callback)."""
        theme = self.app.theme
        box.add_widget(BoxLayout())
        box.add_widget(self.label(f"{icon('inbox')} {escape(headline)}", markup=True, kid=kid,
                                  size=theme.title_px, height=theme.title_px * 1.8))
        box.add_widget(self.label(why, kid=f"{kid}_why", height=theme.text_px * 3))
        row = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=20)
        for n, (offer_kid, words, callback) in enumerate(offers):
            row.add_widget(self.button(offer_kid, words, callback,
                                       role="primary" if n == 0 else "secondary"))
        if offers:
            box.add_widget(row)
        box.add_widget(BoxLayout())

    def journey_offers(self, *offers: tuple[str, str, str]) -> list[tuple[str, str, Callable[[], None]]]:
        """(kid, words, journey) → the offers of the journeys this terminal has open now."""
        return [(kid, words, lambda j=journey: self.app.open_journey(f"tile_{j}"))
                for kid, words, journey in offers
                if self.app.unavailable(f"tile_{journey}") is None]

    # ---- the frame ---------------------------------------------------------------------------

    def refresh(self) -> None:
        theme = self.app.theme
        _ = self._
        box = self.root_box
        if self.header is None:
            self.header = ScreenHeader(self.app, title="", busy=lambda: self.busy,
                                       screen=self.name)
            box.add_widget(self.header)
        for widget in list(box.children):
            if widget is not self.header:
                box.remove_widget(widget)
        repaint_background(box, theme.background)
        self.header.show(_(self.title_msgid), self.shown_steps())
        below = self._below_body()
        # what the body may take, the actions' row kept: a screen that pages its lines
        # fills this, never more (a page's rows added up by hand, a few pixels short, ran
        # into the step bar)
        self.body_room = (self.app.manager.height - box.padding[1] - box.padding[3]
                          - self.header.height - sum(w.height for w in below)
                          - theme.button_height_px - box.spacing * (len(below) + 2))
        body = BoxLayout(orientation="vertical", spacing=16)
        self.draw_body(body)  # before the actions: a pager's buttons count its pages
        box.add_widget(body)
        for widget in below:
            box.add_widget(widget)
        bar = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=20)
        for kid, text, callback, role in self.actions():
            bar.add_widget(self.button(kid, text, callback, role=role))
        if bar.children:
            box.add_widget(bar)
        lay_out_now(box, self)

    def _below_body(self) -> list[Widget]:
        """The lines under the body before the actions: the wait, the problem and a person
        to ask beside it (or the problem's room kept)."""
        theme = self.app.theme
        below: list[Widget] = []
        if self.busy:
            below.append(self.label(self._("Please wait…"), kid="busy", size=theme.title_px,
                                    height=theme.title_px * 1.6))
        if self.problem:
            row = BoxLayout(size_hint_y=None, spacing=PROBLEM_SPACING)
            line = self.status("error", self.problem, kid="problem")
            staff = help_button(self.app, kid="call_staff_problem")
            # as tall as its lines: two lines of English in elder mode wrapped to three
            # ("The code is not right..." on the holder screen) and were cut
            width = self.body_width - staff.width - PROBLEM_SPACING
            row.height = max(theme.text_px * 3.2, theme.button_height_px,
                             wrapped_height(line, width) + theme.text_px * 0.4)
            row.add_widget(line)
            row.add_widget(staff)
            below.append(row)
        elif self.keeps_problem_room:
            below.append(Widget(size_hint_y=None,
                                height=max(theme.text_px * 3.2, theme.button_height_px)))
        return below

    def let_go(self) -> None:
        """The session ended: nothing the citizen was shown stays in this screen's widgets
        (its body, its problem line); the next visit draws afresh. Work still running for
        that session is not waited for: its answer is dropped (`work`'s alive check), and a
        screen left busy stayed "please wait", its buttons dead, for the next citizen."""
        self.problem, self.busy = None, False
        for widget in list(self.root_box.children):
            if widget is not self.header:
                self.root_box.remove_widget(widget)
        for part in self.kept_parts:
            part.let_go()

    # ---- blocking work -----------------------------------------------------------------------

    def work(self, call: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None] | None = None) -> None:
        """Run `call` on a worker; `done(result)` or `failed(exc)` back here on the main loop."""
        session = self.app.terminal.sessions.current
        self.busy, self.problem = True, None

        def alive() -> bool:
            return session is not None and self.app.terminal.sessions.current is session

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def inner(value: Any) -> None:
                self.busy = False
                callback(value)
                self.refresh()
            return inner

        # the request leaves before the skeleton is built: its answer comes back on the main
        # loop, so never before this refresh is done
        background.run(call, finish(done), finish(failed or self.fail), alive,
                       name=f"{self.name}-work")
        self.refresh()

    def fail(self, exc: BaseException) -> None:
        """Tell the citizen what went wrong in their words (never a trace, never a code)."""
        text = getattr(exc, "text", None)
        if callable(text):
            self.problem = text(self.app.prefs.language)
            msgid = spoken_msgid(exc)
            if msgid is not None:  # heard as well as read, in the screen's own words
                self.app.say_message(msgid)
        else:
            self.app.log_unexpected(self.name, exc)
            self.problem = self._("Something went wrong. Please try again or ask staff for help.")
