"""The current citizen's evaluation journey and what its screens share; forgotten when the
session ends (what was rated stays in the session's bag, which its wipe takes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kiosk.journeys.base import Words
from kiosk.journeys.evaluation import EvaluationJourney, RateTarget, Rated, evaluation_journey
from kiosk.session import Session
from kiosk.i18n.messages import N_
from screens.frame_model import Step

# the numbered steps of the journey's step bar, each with the screens that belong to it
STEPS = (Step(N_("Choose"), ("evaluate_list",)),
         Step(N_("Rate"), ("evaluate_rate", "evaluate_detail")))


class EvaluateFlow:
    steps = STEPS

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.session: Session | None = None
        self.journey: EvaluationJourney | None = None
        self.targets: list[RateTarget] | None = None  # the recent applications
        self.target: RateTarget | None = None  # being rated
        self.then: Callable[[], None] | None = None  # where to go when rated or skipped
        self.score: int | None = None  # the overall score (整体满意度)
        self.indicators: dict[str, int] = {}  # the others answered (kiosk.journeys.evaluation)
        self.comment = ""
        self.rated: Rated | None = None

    def _adopt(self, session: Session) -> None:
        if self.session is not session:
            self.forget()
            self.session = session
        if self.journey is None:
            self.journey = evaluation_journey(self.app.terminal, session)  # no I/O

    def open(self) -> None:
        """The tile: the citizen's recent applications (theirs: the card first)."""
        if not self.app.require_citizen("evaluate", then=self.open):
            return
        session = self.app.terminal.sessions.current
        self._adopt(session)
        self.targets = None
        self.then = lambda: self.app.show("evaluate_list")
        self.app.show("evaluate_list")

    def offer(self, reference: str, service_name: Words, then: Callable[[], None],
              submitted_at: dt.datetime | None = None, service_id: str | None = None) -> None:
        session = self.app.terminal.sessions.current
        if session is None:
            then()
            return
        self._adopt(session)
        assert self.journey is not None
        target = self.journey.offer(reference, service_name, submitted_at, service_id)
        if self.journey.is_rated(target):
            then()
            return
        self.rate(target, then)

    def rate(self, target: RateTarget, then: Callable[[], None]) -> None:
        self.target, self.then = target, then
        self.score, self.comment, self.rated, self.indicators = None, "", None, {}
        self.app.show("evaluate_rate")

    def leave(self) -> None:
        """Rated or skipped: on to wherever the citizen was going."""
        then = self.then or self.app.go_home
        self.target = self.rated = self.score = None
        self.comment, self.indicators = "", {}
        then()

    def forget(self) -> None:
        self.session = self.journey = self.targets = self.target = self.then = None
        self.score, self.comment, self.rated, self.indicators = None, "", None, {}
