"""The citizen app: a fullscreen Kivy terminal a passer-by cannot escape or break.

The window is borderless at the panel's size (fullscreen under a bare X server draws only a
corner), the close request and the Escape key are refused, the cursor is hidden and the screen
saver is off. Between citizens the attract loop runs; a touch opens home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.services.identity import IdentityEvent, IdentityEventKind
from kiosk.session import EndReason, IdleState, SessionEvent
from kiosk.terminal import Terminal
from screens.attract import AttractScreen
from screens.home import HomeScreen
from screens.theme import Theme, theme

log = logging.getLogger(__name__)

ESCAPE_KEYS = {27, 1073742106}  # Escape, Android back


@dataclass
class Prefs:
    """The current citizen's choices; reset to the configured defaults between citizens."""

    language: str
    elder_mode: bool
    high_contrast: bool


class KioskApp(App):
    title = "政务自助终端"

    def __init__(self, config: KioskConfig, terminal: Terminal, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kiosk_config = config
        self.terminal = terminal
        self.greeting: str | None = None  # the masked name of the identified citizen
        self.countdown: int | None = None  # seconds left, while the idle warning runs
        self.prefs = self._default_prefs()
        self.translator = Translator(self.prefs.language)
        self.theme: Theme = theme(self.prefs.elder_mode, self.prefs.high_contrast)
        self.manager: ScreenManager | None = None
        self.journeys: dict[str, Callable[[], None]] = {}

    def _default_prefs(self) -> Prefs:
        ui = self.kiosk_config.ui
        return Prefs(ui.language, ui.elder_mode, ui.high_contrast)

    # -- lock-down -----------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._swallow_escape)
        Window.show_cursor = False
        self.manager = ScreenManager(transition=NoTransition())
        self.manager.add_widget(AttractScreen(self, name="attract"))
        self.manager.add_widget(HomeScreen(self, name="home"))
        self.manager.current = "attract"
        # Device and session events arrive on driver threads: hop onto the main loop.
        self._unsubscribe = [
            self.terminal.sessions.subscribe(lambda e: Clock.schedule_once(
                lambda _dt: self._on_session(e), 0)),
            self.terminal.identity.subscribe(lambda e: Clock.schedule_once(
                lambda _dt: self._on_identity(e), 0)),
        ]
        Window.bind(on_touch_down=self._on_any_touch)
        Clock.schedule_interval(self._tick, 0.5)
        self.terminal.start()
        return self.manager

    def _refuse_close(self, *_args, **_kwargs) -> bool:
        log.info("window close request refused")
        return True

    def _swallow_escape(self, _window, key: int, *_args) -> bool:
        return key in ESCAPE_KEYS

    def on_stop(self) -> None:
        Window.unbind(on_request_close=self._refuse_close, on_keyboard=self._swallow_escape,
                      on_touch_down=self._on_any_touch)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.terminal.stop()

    # -- the citizen's session -----------------------------------------------------------------

    def _on_any_touch(self, *_args) -> bool:
        if self.terminal.sessions.current is not None:
            self.terminal.sessions.touch()
        return False  # the touch goes on to the widgets

    def _tick(self, _dt: float) -> None:
        status = self.terminal.sessions.tick()
        countdown = (round(status.seconds_left) if status is not None
                     and status.state == IdleState.WARNING else None)
        if countdown != self.countdown:
            self.countdown = countdown
            # Each second only the countdown's text changes; the screen is rebuilt only when
            # the line appears or goes away.
            home = self.manager.get_screen("home")
            if not home.show_countdown():
                self._restyle()

    def _on_session(self, event: SessionEvent) -> None:
        # A card swapped for another ends one session and starts the next at once: only a
        # terminal left with nobody at it goes back to the attract loop.
        if event.kind == "ended" and self.terminal.sessions.current is None:
            self.greeting = None
            self.countdown = None
            self.prefs = self._default_prefs()
            self.translator = Translator(self.prefs.language)
            self._restyle()
            self.show("attract")

    def _on_identity(self, event: IdentityEvent) -> None:
        if event.kind == IdentityEventKind.SESSION_STARTED:
            self.greeting = event.masked_name
            self.show("home")
            self._restyle()

    def end_session(self) -> None:
        """The citizen pressed exit."""
        self.terminal.sessions.end(EndReason.EXIT)

    # -- navigation and modes ------------------------------------------------------------------

    def wake(self) -> None:
        """A touch on the attract loop: an anonymous session begins (a card joins it later)."""
        if self.terminal.sessions.current is None:
            self.terminal.sessions.start()
        self.show("home")

    def show(self, screen: str) -> None:
        assert self.manager is not None
        self.manager.current = screen

    def unavailable(self, tile: str) -> str | None:
        """Why a journey cannot be used now (shown on its tile), or None when it can.

        Journeys register themselves in `self.journeys`; one that is not there is not offered.
        """
        if tile not in self.journeys:
            return self.translator.gettext("Not available at this terminal yet")
        return None

    def open_journey(self, tile: str) -> None:
        if self.unavailable(tile) is None:
            self.journeys[tile]()

    def set_language(self, language: str) -> None:
        self.prefs.language = language
        self.translator = Translator(language)
        self._restyle()

    def toggle_elder_mode(self) -> None:
        self.prefs.elder_mode = not self.prefs.elder_mode
        session = self.terminal.sessions.current
        if session is not None:
            session.elder_mode = self.prefs.elder_mode  # longer timeouts for this citizen
        self._restyle()

    def toggle_contrast(self) -> None:
        self.prefs.high_contrast = not self.prefs.high_contrast
        self._restyle()

    def _restyle(self) -> None:
        self.theme = theme(self.prefs.elder_mode, self.prefs.high_contrast)
        assert self.manager is not None
        for screen in self.manager.screens:
            screen.refresh()

