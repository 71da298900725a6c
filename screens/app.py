"""The citizen app: a fullscreen Kivy terminal a passer-by cannot escape or break.

The window is borderless at the panel's size (fullscreen under a bare X server draws only a
corner), the close request and the Escape key are refused, the cursor is hidden and the screen
saver is off. Between citizens the attract loop runs; a touch opens home.

The first frame is the attract loop alone, in the schema's default looks: the configuration is
validated (pydantic: 0.3 s of imports), then the terminal (its devices, journeys, printer
library, OpenCV, platform client: seconds of imports on a busy box) imported and built, on a
worker after that frame; the other screens are built once it is (`_start_terminal`).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import __version__
from kiosk.admin.out_of_service import OutOfService
from kiosk.admin.watchdog import Watchdog
from kiosk.config.layers import UI_ELDER_MODE, UI_HIGH_CONTRAST, UI_LANGUAGE
from kiosk.events import emit
from kiosk.health.daily_restart import DailyRestart
from kiosk.i18n import Translator
from kiosk.i18n.messages import IDENTITY_REFUSED, quality_words, unavailable_words
from kiosk.session import EndReason, IdleState, SessionEnded, SessionEvent
from screens.admin.frame import ADMIN_SCREENS
from screens import crash_guard
from screens.attract import AttractScreen
from screens.collector import Collector
from screens.dialog import Dialog
from screens.glass import WindowScreenManager
from screens.guidance import SPOKEN
from screens.theme import Theme, theme
from screens.widgets import show_ground

if TYPE_CHECKING:
    from kiosk.config import KioskConfig, LoadedConfig
    from kiosk.services.identity import IdentityEvent
    from kiosk.terminal import Terminal
    from screens.help import HelpDialog

log = logging.getLogger(__name__)

ESCAPE_KEYS = {27, 1073742106}  # Escape, Android back
SPOKEN_AT = (10, 5)  # seconds left at which the countdown is spoken again
# Ends after which the citizen may still be at the screen, with their card or receipt to take.
GOODBYE_AFTER = (EndReason.EXIT, EndReason.FINISHED, EndReason.TIMEOUT, EndReason.FAULT)
# What the app needs beyond the attract loop: imported on the terminal's worker after the first
# frame (screens.journeys's packages are imported whole, each of their modules)
LATER_MODULES = ("kiosk.services.identity", "screens.home", "screens.identify", "screens.holder",
                 "screens.goodbye", "screens.help", "screens.remote", "screens.journeys")


@dataclass
class Prefs:
    """The current citizen's choices; reset to the configured defaults between citizens."""

    language: str
    elder_mode: bool
    high_contrast: bool


class KioskApp(App):
    title = "政务自助终端"
    use_kivy_settings = False

    def __init__(self, configure: Callable[[], LoadedConfig],
                 open_terminal: Callable[[LoadedConfig], Terminal], **kwargs) -> None:
        """`configure` reads and validates the configuration (raising kiosk.config.ConfigError)
        and `open_terminal` builds the terminal (kiosk.terminal.Terminal) from it; both are
        called on a worker after the first frame: `kiosk_config` and `terminal` are None until
        then."""
        super().__init__(**kwargs)
        self._configure = configure
        self.kiosk_config: KioskConfig | None = None
        self.loaded_config: LoadedConfig | None = None  # the layers in force, for the admin screen
        self._open_terminal = open_terminal
        self.terminal: Terminal | None = None
        self.greeting: str | None = None  # the masked name of the identified citizen
        self.countdown: int | None = None  # seconds left, while the idle warning runs
        # the first frame's looks, before the configuration is validated: [ui]'s defaults
        self.prefs = Prefs(UI_LANGUAGE, UI_ELDER_MODE, UI_HIGH_CONTRAST)
        self.translator = Translator(self.prefs.language)
        self.theme: Theme = theme(self.prefs.elder_mode, self.prefs.high_contrast)
        self.manager: ScreenManager | None = None
        self.journeys: dict[str, Callable[[], None]] = {}
        self.after_identity: Callable[[], None] | None = None  # where a citizen was going
        # session events heard on other threads, not yet handled here (see _on_any_touch)
        self._session_news: deque[SessionEvent] = deque()
        self._forgetters: list[Callable[[], None]] = []  # each journey lets go of its citizen
        self.admin = None  # the staff service and its hidden entry (screens.admin installs them)
        self.admin_entry = None
        self.restart_requested = False  # a fresh process is wanted (exit code 75)
        self._restart_pending = ""  # why, while the citizen (or staff) at the screen stays
        self._restart_reason = ""
        self.daily_restart: DailyRestart | None = None  # once the configuration is read
        self.idle_dialog: Dialog | None = None  # "Need more time?", above the screen
        self.exit_dialog: Dialog | None = None  # "Exit? What you entered will be cleared"
        self.card_dialog: Dialog | None = None  # "Put your ID card back to continue"
        self.help_dialog: HelpDialog | None = None  # 呼叫工作人员: told, phone, counter
        self.elder_dialog: Dialog | None = None  # "Use elder mode?" for a citizen of 60 or over
        self.ended_by: EndReason | None = None  # why the last visit ended (the goodbye's words)
        self.guard: crash_guard.CrashGuard | None = None
        # The terminal (devices, platform link, print journal) comes up on a worker after the
        # first frame: set once it has (the UI driver reports it as "started")
        self.terminal_started = threading.Event()
        self._starter: threading.Thread | None = None
        self._woken = False  # touched before the screens behind the attract loop were built
        self.start_failure: BaseException | None = None  # the terminal could not be built
        self._built: Terminal | None = None  # the terminal once built (`terminal` once installed)
        self._unsubscribe: list[Callable[[], None]] = []
        self.collector = Collector()

    def _default_prefs(self) -> Prefs:
        assert self.kiosk_config is not None
        ui = self.kiosk_config.ui
        return Prefs(ui.language, ui.elder_mode, ui.high_contrast)

    # -- lock-down -----------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._swallow_escape)
        Window.show_cursor = False
        self.guard = crash_guard.install(self._recover)
        self.manager = WindowScreenManager(transition=NoTransition())
        self.manager.bind(current=self._speak_guidance)
        self.manager.bind(current_screen=lambda _m, screen: screen and show_ground(screen))
        self.manager.add_widget(AttractScreen(self, name="attract"))
        self.manager.current = "attract"
        self.manager.current_screen.refresh()
        Window.bind(on_touch_down=self._on_any_touch)
        # The configuration is validated, the terminal imported and built, then the other
        # screens, then devices, the platform link, the print journal and the heartbeat come up,
        # all once the attract loop is on the glass (they took the first frame seconds on a busy
        # box); the attract loop says out of service as soon as the admin state is read, and
        # tiles show their state as it arrives.
        Window.bind(on_flip=self._after_first_frame)
        # systemd's watchdog is pinged from this main loop: a hung UI stops the pings and is
        # restarted. READY=1 once the first frame is drawn and the configuration accepted.
        self.watchdog = Watchdog()
        Clock.schedule_interval(lambda _dt: self.watchdog.ping(), self.watchdog.interval_s / 4)
        return self.manager

    def _after_first_frame(self, *_args) -> None:
        """The rest starts on the next tick: after this flip's other listeners (the UI driver
        notes the first frame's time and modules), with the first frame on the glass."""
        Window.unbind(on_flip=self._after_first_frame)
        Clock.schedule_once(self._start_terminal, 0)

    def _start_terminal(self, _dt: float) -> None:
        """Validate the configuration and build the terminal on a worker (a configuration
        refused, or one that cannot build a terminal, stops the app as before), then the
        screens on the main loop, then start it."""
        started_at = time.monotonic()

        def build() -> None:
            try:
                loaded = self._configure()
                Clock.schedule_once(lambda _dt: self._configured(loaded), 0)
                for name in LATER_MODULES:
                    importlib.import_module(name)
                for package in _journey_packages():
                    for module in pkgutil.iter_modules(package.__path__):
                        importlib.import_module(f"{package.__name__}.{module.name}")
                terminal = self._open_terminal(loaded)
            except BaseException as exc:  # noqa: BLE001 - python -m screens raises it again
                self.start_failure = exc
                Clock.schedule_once(lambda _dt: self.stop(), 0)
                return
            log.info("terminal built %.0f ms after the first frame",
                     (time.monotonic() - started_at) * 1000)
            self._built = terminal  # stopped by on_stop even if never installed
            Clock.schedule_once(lambda _dt: self._install_or_stop(terminal, started_at), 0)

        self._starter = threading.Thread(target=build, name="terminal-build", daemon=True)
        self._starter.start()

    def _configured(self, loaded: LoadedConfig) -> None:
        """On the main loop, before the screens behind the attract loop are built: the
        configuration in force; the attract loop is redrawn if the site's looks differ from
        the first frame's."""
        self.loaded_config, self.kiosk_config = loaded, loaded.config
        emit("app_started", version=__version__, terminal=loaded.config.terminal.id)
        self.daily_restart = DailyRestart.from_config(loaded.config.terminal)
        configured = self._default_prefs()
        if configured != self.prefs:
            self.prefs = configured
            self.translator = Translator(configured.language)
            self._restyle()
        self._ready()

    def _install_or_stop(self, terminal: Terminal, started_at: float) -> None:
        """A screen that cannot be built stops the app at start (systemd starts it again), as
        when every screen was built before the first frame: never a half-built terminal."""
        try:
            self._install(terminal, started_at)
        except Exception as exc:  # noqa: BLE001 - python -m screens raises it again
            self.start_failure = exc
            self.stop()

    def _install(self, terminal: Terminal, started_at: float) -> None:
        """On the main loop, with the terminal built (not started): the screens behind the
        attract loop and the event hand-offs, before any device can report a card."""
        from screens import remote
        from screens.goodbye import GoodbyeScreen
        from screens.help import HelpDialog
        from screens.holder import HolderScreen
        from screens.home import HomeScreen
        from screens.identify import IdentifyScreen
        from screens.journeys import INSTALLERS

        self.terminal = terminal
        assert self.manager is not None
        self.manager.add_widget(HomeScreen(self, name="home"))
        self.manager.add_widget(IdentifyScreen(self, name="identify"))
        self.manager.add_widget(HolderScreen(self, name="holder"))
        self.manager.add_widget(GoodbyeScreen(self, name="goodbye"))
        for install in INSTALLERS:
            install(self)
        remote.install(self)  # the console's commands, once the terminal is up
        self.service_changed()  # out of service as soon as the admin state is read
        self.idle_dialog = Dialog(self, "idle_warning")
        self.exit_dialog = Dialog(self, "confirm_exit")
        self.card_dialog = Dialog(self, "card_grace")
        self.help_dialog = HelpDialog(self)
        self.elder_dialog = Dialog(self, "elder_offer")
        # Device and session events arrive on driver threads: hop onto the main loop.
        self._unsubscribe = [
            terminal.sessions.subscribe(self._heard_of_session),
            terminal.identity.subscribe(lambda e: Clock.schedule_once(
                lambda _dt: self._on_identity(e), 0)),
            terminal.availability.subscribe(lambda _e: Clock.schedule_once(
                lambda _dt: self._on_availability(), 0)),
            terminal.documents.subscribe_ways(lambda _ways: Clock.schedule_once(
                lambda _dt: self._on_document_ways(), 0)),
        ]
        Clock.schedule_interval(self._tick, 0.5)
        if terminal.fleet is not None:  # a fleet layer is taken by restarting, never mid-session
            terminal.fleet.attach_ui(restart=lambda: Clock.schedule_once(
                lambda _dt: self.restart_between_sessions("fleet update"), 0))
            terminal.fleet.confirm_healthy()  # the screens came back
        if self._woken:  # a touch on the attract loop while the screens were being built
            self.wake()

        def start() -> None:
            try:
                terminal.start()
            except Exception as exc:  # the screens still serve; the tiles say what is missing
                self.log_unexpected("terminal start", exc)
            log.info("terminal up %.0f ms after the first frame",
                     (time.monotonic() - started_at) * 1000)
            Clock.schedule_once(self._terminal_up, 0)

        self._starter = threading.Thread(target=start, name="terminal-start", daemon=True)
        self._starter.start()

    def _terminal_up(self, _dt: float) -> None:
        self.service_changed()  # the audit trail is open (or is not: out of service) by now
        self.collector.start()  # what is alive now is kept; garbage is collected between touches
        self.terminal_started.set()
        if self.manager is not None and self.manager.current == "home":
            self.manager.current_screen.refresh()  # the tiles with the link and devices

    def _ready(self) -> None:
        assert self.kiosk_config is not None
        self.watchdog.ready(f"serving as {self.kiosk_config.terminal.id}")
        self.watchdog.ping()
        emit("app_ready", watchdog_s=self.watchdog.watchdog_s)

    def restart_between_sessions(self, reason: str) -> None:
        """Leave so that the supervisor (systemd, or kiosk.fleet.supervise) starts us again
        (a new configuration layer, the daily fresh start); a citizen at the screen is never
        cut off, nor are staff at the admin screen: `_tick` restarts once they have left."""
        if self.restart_requested:
            return
        if self.terminal.sessions.current is None and not self.staff_present:
            self.restart_requested, self._restart_reason = True, reason
            self.stop()
        else:
            self._restart_pending = reason

    def open_settings(self, *_args) -> bool:
        """Kivy opens its settings panel on F1 (App binds the key itself): never here. The
        terminal's settings are its configuration files, not a panel over the citizen's
        screen (tests/ui/test_lockdown.py presses F1 for real)."""
        log.warning("a key asked for Kivy's settings panel; refused")
        return False

    def close_settings(self, *_args) -> bool:
        return False

    def _refuse_close(self, *_args, **_kwargs) -> bool:
        log.info("window close request refused")
        return True

    def _swallow_escape(self, _window, key: int, *_args) -> bool:
        return key in ESCAPE_KEYS

    def on_stop(self) -> None:
        emit("app_stopping", reason=f"restart: {self._restart_reason}"
             if self.restart_requested else "stop")
        self.watchdog.stopping("stopping")
        if self.admin is not None:
            self.admin.close()
        Window.unbind(on_request_close=self._refuse_close, on_keyboard=self._swallow_escape,
                      on_touch_down=self._on_any_touch, on_flip=self._after_first_frame)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self.guard is not None:
            crash_guard.uninstall(self.guard)
        if self._starter is not None:
            self._starter.join(30)  # what it opened is closed by stop()
        if self._built is not None:  # None when the app stops before it was built
            self._built.stop()

    # -- the citizen's session -----------------------------------------------------------------

    def _heard_of_session(self, event: SessionEvent) -> None:
        """On the session's thread (a lifted card's grace ends it on a timer): queued, and
        handled on the main loop's next turn, or sooner by a touch."""
        self._session_news.append(event)
        Clock.schedule_once(lambda _dt: self._session_news_handled(), 0)

    def _session_news_handled(self) -> None:
        while self._session_news:  # in the order they came, each once
            self._on_session(self._session_news.popleft())

    def _on_any_touch(self, *_args) -> bool:
        if self.admin_entry is not None:
            self.admin_entry.on_touch(*_args)  # the hidden four-corner gesture (screens.admin)
        if any(event.kind == "ended" for event in list(self._session_news)):
            # The session ended on another thread a moment ago and the screen, drawn for it,
            # has not heard: the touch would reach a screen whose citizen data is wiped (a
            # SessionEnded out of its refresh). The end is handled now, and the touch goes no
            # further: the citizen sees the goodbye, not an apology for a fault.
            self._session_news_handled()
            return True
        if self.terminal is not None and self.terminal.sessions.current is not None:
            self.terminal.sessions.touch()
        return False  # the touch goes on to the widgets

    def _tick(self, _dt: float) -> None:
        if self._restart_pending or (self.daily_restart is not None and self.daily_restart.due()):
            self.restart_between_sessions(self._restart_pending or "daily")
            if self.restart_requested:
                return  # stopping: the terminal is being shut down
        status = self.terminal.sessions.tick()
        countdown = (round(status.seconds_left) if status is not None
                     and status.state == IdleState.WARNING else None)
        if countdown != self.countdown:
            if countdown is not None and (self.countdown is None or countdown in SPOKEN_AT):
                self.say("session_ending", n=countdown)
            self.countdown = countdown
            assert status is not None or countdown is None
            self._show_idle_warning(status.extensions_left if status is not None else 0)
        self._show_card_grace()

    def _show_card_grace(self) -> None:
        """The card was lifted with work in the session: the seconds it waits for that card
        (kiosk.services.identity decides; this only shows). The dialog takes every touch, so
        nobody uses the session without the card."""
        dialog = self.card_dialog
        if dialog is None:
            return
        left = self.terminal.identity.grace_left()
        if left is None or self.staff_present:
            dialog.close()
            return
        n = max(1, round(left))
        _ = self.translator
        seconds = _.ngettext("Your session ends in %(n)d second.",
                             "Your session ends in %(n)d seconds.", n, n=n)
        if dialog.is_open:
            dialog.set_detail(seconds)
        else:
            dialog.show(_.gettext("Put your ID card back to continue"), seconds,
                        "card_grace_seconds", [])

    def _show_idle_warning(self, extensions_left: int) -> None:
        """The warning is a dialog above the screen (screens.dialog): nothing under the
        citizen's finger moves. Any touch extends (`_on_any_touch`); the button says so."""
        dialog = self.idle_dialog
        assert dialog is not None
        if self.countdown is None or self.staff_present:
            dialog.close()
            return
        _ = self.translator
        seconds = _.ngettext("Your session ends in %(n)d second.",
                             "Your session ends in %(n)d seconds.", self.countdown, n=self.countdown)
        if dialog.is_open:
            dialog.set_detail(seconds)
            return
        choices = [("countdown_continue", _.gettext("Continue my session"), self._more_time,
                    "primary")] if extensions_left > 0 else []
        dialog.show(_.gettext("Need more time?"), seconds, "countdown", choices)

    def _more_time(self) -> None:
        """继续办理: the touch itself extended the session; close the question now rather
        than on the next tick."""
        self.terminal.sessions.touch()
        status = self.terminal.sessions.tick()
        if status is None or status.state != IdleState.WARNING:
            self.countdown = None
            self._close_dialogs()

    def _offer_elder_mode(self) -> None:
        """The card says 60 or over ([ui] offer_elder_from_age): offered, never imposed, and
        asked once per visit. Only the answer is kept, not the age."""
        _ = self.translator.gettext
        dialog = self.elder_dialog
        assert dialog is not None
        dialog.show(_("Use elder mode?"),
                    _("Larger text, fewer choices on each screen, and more time."),
                    "elder_offer_text",
                    [("elder_offer_no", _("No, thanks"), dialog.close, False),
                     ("elder_offer_yes", _("Yes, use elder mode"), self._elder_accepted, True)])

    def _elder_accepted(self) -> None:
        if self.elder_dialog is not None:
            self.elder_dialog.close()
        if not self.prefs.elder_mode:
            self.toggle_elder_mode()

    def open_dialogs(self) -> list[Dialog]:
        """The questions on the glass above the screen (the UI driver looks at them too)."""
        # the later one lies on top: listed first
        helping = self.help_dialog.dialog if self.help_dialog is not None else None
        return [d for d in (self.card_dialog, self.idle_dialog, self.exit_dialog,
                            self.elder_dialog, helping) if d is not None and d.is_open]

    def _close_dialogs(self) -> None:
        for dialog in (self.idle_dialog, self.exit_dialog, self.card_dialog, self.elder_dialog):
            if dialog is not None:
                dialog.close()

    @property
    def staff_present(self) -> bool:
        """Staff are at the PIN pad or the admin screen: citizen events must not pull them
        away (a card placed for the reader test starts no journey)."""
        return self.manager is not None and self.manager.current in ADMIN_SCREENS

    def _on_session(self, event: SessionEvent) -> None:
        # A card swapped for another ends one session and starts the next at once: only a
        # terminal left with nobody at it goes back to the attract loop.
        if event.kind == "ended":
            for forget in self._forgetters:  # the session's wipe took its data; screens let go
                forget()
            for screen in self.manager.screens:  # and of what they drew from it
                let_go = getattr(screen, "let_go", None)
                if let_go is not None:
                    let_go()
            self.after_identity = None
            self.manager.get_screen("home").page = 0  # the next citizen starts on the first tiles
        if event.kind == "ended" and self.terminal.sessions.current is None:
            self.greeting = None
            self.countdown = None
            self._close_dialogs()
            goodbye = event.reason in GOODBYE_AFTER and not self.staff_present
            self.ended_by = event.reason
            if goodbye:  # drawn and spoken in the citizen's own language and modes
                self.show("goodbye")
                self.say("fault" if event.reason == EndReason.FAULT else "session_ended")
            self.prefs = self._default_prefs()
            self.translator = Translator(self.prefs.language)
            if goodbye:  # the next citizen's defaults, drawn as the attract loop is entered
                self.theme = theme(self.prefs.elder_mode, self.prefs.high_contrast)
            elif not self.staff_present:  # staff stay where they are
                self._restyle()
                self.show("attract")
                self.say("session_ended")

    def _on_identity(self, event: IdentityEvent) -> None:
        from kiosk.services.identity import IdentityEventKind

        if self.staff_present:
            return
        if event.kind == IdentityEventKind.SESSION_STARTED and self.out_of_service() is not None:
            self._refuse_card_out_of_service(card=event.source != "qr")
        elif event.kind == IdentityEventKind.SESSION_STARTED:
            self.greeting = event.masked_name
            then, self.after_identity = self.after_identity, None
            if then is not None:
                then()
            else:
                self.show("home")
            self._restyle()
            if event.senior and not self.prefs.elder_mode:
                self._offer_elder_mode()
        elif event.kind in (IdentityEventKind.CARD_REMOVED, IdentityEventKind.CARD_RETURNED):
            self._show_card_grace()  # at once, not on the next tick
        elif event.kind in (IdentityEventKind.QR_REFUSED, IdentityEventKind.READ_FAILED) \
                and self.manager.current == "identify":
            reason = getattr(event, "reason", None)
            key = reason if reason in IDENTITY_REFUSED else (
                "qr" if event.kind == IdentityEventKind.QR_REFUSED else "card")
            screen = self.manager.get_screen("identify")
            screen.problem = self.translator.gettext(IDENTITY_REFUSED[key])
            screen.refresh()

    def _refuse_card_out_of_service(self, card: bool) -> None:
        """A card (or e-ID code) while the terminal is closed: no journey and nothing of the
        citizen kept; the attract loop says it is out of service (and, for a card, to take
        it: an e-ID code leaves nothing behind)."""
        self.after_identity = None
        if card:
            self.manager.get_screen("attract").card_refused()
        self.terminal.sessions.end(EndReason.ADMIN)  # the wipe; `_on_session` shows attract
        self.show("attract")

    def out_of_service(self) -> OutOfService | None:
        """Why citizens cannot be served now (kiosk.admin.out_of_service.OutOfService: staff's
        or the console's message, or the terminal's own), or None."""
        return self.admin.out_of_service() if self.admin is not None else None

    def service_changed(self) -> None:
        """On the main loop, when a remote command took the terminal out of or back into
        service, or the terminal came up: the attract loop changes at once (home follows on
        its next refresh)."""
        if self.manager is not None and self.manager.current == "attract":
            self.manager.current_screen.refresh()

    def _on_availability(self) -> None:
        if self.manager.current == "home":
            self.manager.current_screen.refresh()

    def _on_document_ways(self) -> None:
        """The camera or the scanner came or went: a screen offering them redraws its
        buttons (after a failed scan the scanner's button came back only with another tap)."""
        screen = self.manager.current_screen
        if getattr(screen, "offers_capture", False) and not screen.busy:
            screen.refresh()

    def add_journey(self, tile: str, open_: Callable[[], None],
                    forget: Callable[[], None]) -> None:
        """A journey behind home tile `tile` (apply, progress, …): `open_` on a tap, `forget`
        when its citizen's session ends."""
        self.journeys[f"tile_{tile}"] = open_
        self._forgetters.append(forget)

    def ask_identity(self, then: Callable[[], None]) -> None:
        """Ask for the ID card or an e-ID code, then carry on with `then`."""
        if self.terminal.sessions.current is None:
            self.terminal.sessions.start()
        self.after_identity = then
        self.show("identify")

    def require_citizen(self, journey: str, then: Callable[[], None]) -> bool:
        """True when the citizen at the screen is identified and has proved to hold the
        identity as `journey` asks (`[holder]`); otherwise ask for what is missing (the card,
        then the proof), carry on with `then` afterwards, and return False."""
        session = self.terminal.sessions.current
        if session is None or session.identity is None:
            self.ask_identity(then=then)
            return False
        if self.terminal.holder_needed(session, journey):
            self.manager.get_screen("holder").ask(then, self.terminal.holder_factors(journey))
            return False
        return True

    def call_staff(self) -> None:
        """呼叫工作人员, from any screen: the dialog at once, the request to the platform on a
        worker (screens.help, kiosk.services.help). Nothing of the citizen's goes with it."""
        if self.help_dialog is not None:
            self.help_dialog.call()

    def go_home(self) -> None:
        self.after_identity = None
        self.show("home")

    def say(self, prompt_id: str, **numbers: int) -> None:
        """Speak a prompt in the citizen's language, slower in elder mode (kiosk.voice:
        catalogue words and small numbers only, so nothing personal can be spoken). Returns
        at once."""
        self.terminal.voice.say(prompt_id, self.prefs.language, slow=self.prefs.elder_mode,
                                **numbers)

    def say_message(self, msgid: str) -> None:
        """Speak a fixed sentence of the catalogue: a screen's guidance, a problem's words."""
        from kiosk.voice.prompts import message

        try:
            self.say(message(msgid))
        except ValueError:  # a sentence with a value in it is shown, not spoken
            log.debug("not spoken: a sentence with placeholders")

    def repeat_voice(self) -> None:
        """重听 / Repeat: the last thing said, again, in the language and rate chosen now."""
        self.terminal.voice.repeat(self.prefs.language, slow=self.prefs.elder_mode)

    def _speak_guidance(self, _manager: object, screen: str) -> None:
        if screen in SPOKEN and self.terminal is not None \
                and self.terminal.sessions.current is not None:
            self.say_message(SPOKEN[screen])

    def end_session(self) -> None:
        """The citizen pressed exit: at once, unless that would throw away what they entered
        or captured; then they are asked first (a slip of the finger costs nothing)."""
        session = self.terminal.sessions.current
        try:
            unsaved = session is not None and session.has_unsaved_work
        except SessionEnded:
            unsaved = False
        if not unsaved or self.exit_dialog is None:
            self.terminal.sessions.end(EndReason.EXIT)
            return
        _ = self.translator.gettext
        self.exit_dialog.show(
            _("Exit now?"), _("What you have entered will be cleared."), "exit_confirm_text",
            [("exit_cancel", _("Continue my session"), self.exit_dialog.close, "primary"),
             ("exit_confirm", _("Exit"), self._exit_confirmed, "danger")])

    def _exit_confirmed(self) -> None:
        if self.exit_dialog is not None:
            self.exit_dialog.close()
        self.terminal.sessions.end(EndReason.EXIT)

    # -- navigation and modes ------------------------------------------------------------------

    def wake(self) -> None:
        """A touch on the attract loop: an anonymous session begins (a card joins it later).
        Before the terminal is built (the first second or two) the touch is kept for then."""
        if self.terminal is None:
            self._woken = True
            return
        if self.terminal.sessions.current is None:
            self.terminal.sessions.start()
            self.say("welcome")
        self.show("home")

    def show(self, screen: str) -> None:
        assert self.manager is not None
        if self.manager.current != screen:
            log.info("screen %s -> %s", self.manager.current, screen)
        if screen == "attract" and self.help_dialog is not None \
                and self.terminal is not None:  # the citizen has left
            self.help_dialog.close()
            self.terminal.help.forget()
        self.manager.current = screen

    def unavailable(self, tile: str) -> str | None:
        """Why a journey cannot be used now (shown on its tile), or None when it can.

        Journeys register themselves in `self.journeys`; one that is not there is not offered.
        A journey that files or fetches anything needs the platform link as well.
        """
        if tile not in self.journeys:
            reason: str | None = "not_offered"
        else:
            reason = self.terminal.availability.why_not(tile.removeprefix("tile_"))
            if reason is None and self.terminal.link is None:
                reason = "platform" if self.terminal_started.is_set() else "starting"
        return None if reason is None else self.translator.gettext(unavailable_words(reason))

    def quality_words(self, codes: tuple[str, ...]) -> str:
        """What to fix about a page, for its first quality problem."""
        return self.translator.gettext(quality_words(codes[0] if codes else "no_page"))

    def _recover(self, exc: BaseException) -> None:
        """An exception escaped a screen (screens.crash_guard): the visit ends with an apology
        and its data is wiped; staff at the admin screen stay where they are."""
        where = self.manager.current if self.manager is not None else "start"
        self.log_unexpected(f"screen {where}", exc)
        emit("ui_fault", screen=where, error=type(exc).__name__)
        if self.staff_present:
            return
        self._close_dialogs()
        if self.terminal is not None and self.terminal.sessions.current is not None:
            self.terminal.sessions.end(EndReason.FAULT)  # goodbye, in the citizen's words
        else:
            self.show("attract")

    def log_unexpected(self, where: str, exc: BaseException) -> None:
        """A failure no screen expected: logged with its type for staff (the message may hold
        citizen data, so it is not logged), and the citizen is told something general."""
        where_in_code = "".join(traceback.format_tb(exc.__traceback__)[-3:])
        log.error("%s: unexpected %s at\n%s", where, type(exc).__name__, where_in_code)

    def open_journey(self, tile: str) -> None:
        if self.unavailable(tile) is None:
            self.journeys[tile]()

    def set_language(self, language: str) -> None:
        self.prefs.language = language
        self.translator = Translator(language)
        session = self.terminal.sessions.current
        if session is not None:
            session.language = language  # the journey's words, messages and receipt follow
        assert self.manager is not None
        # a journey screen's (JourneyScreen.language_changed), found by name: screens.
        # journey_screen is not loaded before the first journey
        changed = getattr(self.manager.current_screen, "language_changed", None)
        if callable(changed):
            changed()
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
        # Only the screen on the glass is redrawn now; the others redraw as they are entered
        # (a hidden journey screen must not ask its journey anything out of turn).
        self.manager.current_screen.refresh()
        if self.exit_dialog is not None and self.exit_dialog.is_open:
            self.exit_dialog.close()
            self.end_session()  # asked again at once in the new language and theme
        if self.idle_dialog is not None and self.idle_dialog.is_open:
            self.idle_dialog.close()  # drawn again at once in the new language and theme
            self._show_idle_warning(self._extensions_left())
        if self.help_dialog is not None:
            self.help_dialog.restyle()

    def _extensions_left(self) -> int:
        session = self.terminal.sessions.current
        if session is None:
            return 0
        return session.idle.state().extensions_left


def _journey_packages() -> list:  # type: ignore[type-arg]
    """The packages screens.journeys installs (their modules are imported off the main loop)."""
    from screens.journeys import INSTALLERS

    return [importlib.import_module(install.__module__) for install in INSTALLERS]
