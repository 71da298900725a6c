"""The current visitor's progress journey and what its screens share.

One journey per session: the list needs the card; a receipt code needs none (an anonymous
session is started for it, so the idle timer and the wipe still apply). Forgotten when the
session ends (the session's wipe takes its data)."""

from __future__ import annotations

from kiosk.journeys.progress import ApplicationView, ProgressJourney, progress_journey
from kiosk.session import Session
from kiosk.i18n.messages import N_
from screens.frame_model import Step

# Where a receipt code is taken as "show me this application": not in the middle of another
# journey, where the citizen is doing something else.
LISTENING = ("attract", "home", "identify", "progress_start", "progress_list", "progress_detail")

# the numbered steps of the journey's step bar, each with the screens that belong to it
STEPS = (Step(N_("Find"), ("progress_start", "progress_list")),
         Step(N_("Progress"), ("progress_detail",)),
         Step(N_("Hand in"), ("progress_supplement", "progress_camera")))


class ProgressFlow:
    steps = STEPS

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.session: Session | None = None
        self.journey: ProgressJourney | None = None
        self.applications: list[ApplicationView] | None = None  # by card
        self.reference: str | None = None  # the application on the detail screen
        self.code: str | None = None  # a receipt code to look up on the detail screen
        self.camera_material: str | None = None  # the material the camera screen fills
        self.supplemented: object | None = None  # the SupplementOutcome once handed in
        self.last_code: str | None = None

    def _adopt(self, session: Session) -> None:
        if self.session is not session:
            self.forget()
            self.session = session

    def open(self) -> None:
        """The progress tile: the citizen's list when identified, else ask for the card or
        a receipt code."""
        session = self.app.terminal.sessions.current
        if session is None or session.identity is None:
            self.app.show("progress_start")
            return
        if not self.app.require_citizen("progress", then=self.open):
            return
        self._adopt(session)
        self.applications = None  # fresh from the platform each time the tile is opened
        self.app.show("progress_list")

    def receipt_code(self, code: str) -> None:
        """A receipt's code was scanned: show that one application."""
        current = self.app.manager.current
        if current not in LISTENING or (current == "progress_detail" and code == self.last_code
                                        and self.session is self.app.terminal.sessions.current):
            return  # busy elsewhere, or the same slip still in front of the reader
        self.last_code = code
        sessions = self.app.terminal.sessions
        session = sessions.current or sessions.start()  # anonymous: no card, no name
        self._adopt(session)
        self.app.after_identity = None
        self.code, self.reference = code, None
        if self.app.manager.current == "progress_detail":
            self.app.manager.current_screen.on_pre_enter()
        else:
            self.app.show("progress_detail")

    def make_journey(self) -> ProgressJourney:
        """On a worker (it reads the fleet key file)."""
        if self.journey is None:
            assert self.session is not None
            self.journey = progress_journey(self.app.terminal, self.session)
        return self.journey

    def forget(self) -> None:
        self.session = self.journey = self.applications = None
        self.reference = self.code = self.camera_material = self.supplemented = None
        self.last_code = None
