"""呼叫工作人员 / Call staff on every screen the citizen sees, and the dialog it opens.

`help_button(app)` is the one button every screen places (home, identify, holder, every
journey screen's header, goodbye, and beside a problem line). A tap opens a dialog above the
screen at once with the hall's phone and nearest counter (`[terminal] help_phone`,
`help_counter`), while the request goes to the platform on a worker (kiosk.services.help);
the dialog then says truthfully whether staff were told, later that someone is coming once
staff acknowledged it, and that they set off once staff pressed On my way in the operations
console (read back every few seconds while the dialog is open).

The request names the screen and, inside a journey, its step: never the citizen.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock

from kiosk.i18n.messages import N_
from kiosk.services.help import HelpCall, HelpPlace
from screens import background
from screens.dialog import Dialog
from screens.widgets import KioskButton, action_button

# Each journey's screens in the order a citizen meets them: a screen's step is its place here
# unless the screen says its own (`journey_name`, `step`, `steps`, as a step bar would).
JOURNEY_SCREENS = {
    "apply": ("catalogue", "guide", "form", "materials", "camera", "review", "receipt"),
    "progress": ("progress_start", "progress_list", "progress_detail", "progress_supplement",
                 "progress_camera"),
    "collect": ("collect_list", "collect_reason", "collect_preview"),
    "pay": ("pay_due", "pay_qr", "pay_result"),
    "appointment": ("appt_menu", "appt_services", "appt_slots", "appt_booked", "appt_mine"),
    "evaluate": ("evaluate_list", "evaluate_rate", "evaluate_detail"),
}
POLL_S = 3.0  # how often an open dialog asks whether staff acknowledged
SPOKEN = {"sent": "help_sent", "acknowledged": "help_coming", "on_the_way": "help_coming",
          "failed": "help_failed"}

STATE_WORDS = {
    "sending": N_("Telling the staff on duty…"),
    "sent": N_("Please stay at this terminal: a member of staff will come to you."),
    "acknowledged": N_("A member of staff is on the way. Please stay at this terminal."),
    # staff pressed "On my way" in the operations console
    "on_the_way": N_("A member of staff has set off and will be with you in a moment. Please "
                     "stay at this terminal."),
    "closed": N_("Your call was answered. If you still need help, touch Call staff again."),
    # the platform unreachable, no platform link, or refused: the same truth for the citizen
    "failed": N_("Staff could not be told from this terminal right now. Please call the "
                 "number below or go to the counter."),
}


def help_button(app: Any, kid: str = "call_staff", **kwargs: Any) -> KioskButton:
    """The button that calls staff: the same words, size and action on every screen."""
    theme = app.theme
    kwargs.setdefault("size_hint_x", None)
    kwargs.setdefault("width", max(220, theme.button_height_px * 2.4))  # as the header's others
    return action_button(theme, kid, app.translator.gettext("Call staff"), app.call_staff,
                         busy=lambda: False, **kwargs)


def place_of(app: Any) -> HelpPlace:
    """Where the citizen is: the screen, and inside a journey its step (JOURNEY_SCREENS, or
    what the screen says of itself)."""
    manager = app.manager
    name = manager.current if manager is not None else "unknown"
    screen = manager.current_screen if manager is not None else None
    journey = getattr(screen, "journey_name", None) or next(
        (j for j, names in JOURNEY_SCREENS.items() if name in names), None)
    step, steps = getattr(screen, "step", None), getattr(screen, "steps", None)
    if journey in JOURNEY_SCREENS and name in JOURNEY_SCREENS[journey] \
            and not isinstance(step, int):
        step, steps = JOURNEY_SCREENS[journey].index(name) + 1, len(JOURNEY_SCREENS[journey])
    def plain(step_: Any) -> int | None:
        return step_ if isinstance(step_, int) and 1 <= step_ <= 50 else None

    return HelpPlace(_contract_name(name) or "unknown",
                     _contract_name(journey) if journey else None, plain(step), plain(steps))


def _contract_name(text: str) -> str:
    """A name as the contract takes it (`^[a-z0-9_.-]{1,64}$`)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c in "_.-" else "_"
                   for c in str(text).lower())[:64]


class HelpDialog:
    """The dialog of one call for staff, above whatever screen the citizen is on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.dialog = Dialog(app, "help_dialog")
        self._poll = None
        self._spoken = ""  # the state last said aloud: each news is spoken once

    @property
    def is_open(self) -> bool:
        return self.dialog.is_open

    def call(self) -> None:
        """The tap: the dialog at once, the request on a worker, the answer when it comes."""
        desk = self.app.terminal.help
        place = place_of(self.app)
        current = desk.current
        if self._poll is None:
            self._poll = Clock.schedule_interval(self._refresh, POLL_S)
        self._draw(current if current is not None and current.state != "failed"
                   else HelpCall("sending", place))
        background.run(lambda: desk.call(place), self._draw, self._failed, name="call-staff")

    def close(self) -> None:
        self._spoken = ""
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None
        self.dialog.close()

    def restyle(self) -> None:
        """Language or mode changed while open: drawn again in the new ones."""
        current = self.app.terminal.help.current
        if self.is_open and current is not None:
            self._draw(current)

    def _refresh(self, _dt: float) -> None:
        if not self.is_open:
            return
        background.run(self.app.terminal.help.refresh,
                       lambda call: self._draw(call) if call is not None else None,
                       lambda exc: self.app.log_unexpected("call_staff_poll", exc),
                       name="call-staff-poll")

    def _failed(self, exc: BaseException) -> None:
        """Nothing the desk expected: logged for staff, and the citizen told the truth (never
        left looking at "telling the staff…")."""
        self.app.log_unexpected("call_staff", exc)
        self._draw(HelpCall("failed", place_of(self.app), failure="unexpected"))

    def _draw(self, call: HelpCall) -> None:
        if not self.is_open and self._poll is None:
            return  # closed meanwhile: a late answer does not open it again
        _ = self.app.translator.gettext
        terminal = self.app.kiosk_config.terminal
        lines = [_(STATE_WORDS[call.state])]
        if terminal.help_phone:
            lines.append(_("Phone: %(phone)s", phone=terminal.help_phone))
        counter = terminal.counter(self.app.translator.language)
        if counter:
            lines.append(_("Nearest counter: %(where)s", where=counter))
        title = {"sent": _("Staff have been told"),
                 "acknowledged": _("Help is on the way"),
                 "on_the_way": _("Staff have set off")}.get(call.state, _("Call staff"))
        if call.state in SPOKEN and call.state != self._spoken:
            self._spoken = call.state
            self.app.say(SPOKEN[call.state])
        self.dialog.show(title, "\n".join(lines), f"help_{call.state}",
                         [("help_close", _("Close"), self.close, True)], detail_lines=6.4)
