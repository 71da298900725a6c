"""The current citizen's collect journey and what its screens share.

One journey per session: made when the citizen opens the tile (after identifying, since the
list is theirs), forgotten when the session ends (the session's wipe takes its data)."""

from __future__ import annotations

from kiosk.journeys.collect import CertificateView, CollectJourney, CollectOutcome, Preview, collect_journey
from kiosk.session import Session


class CollectFlow:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.session: Session | None = None
        self.journey: CollectJourney | None = None
        self.certificates: list[CertificateView] | None = None
        self.reprint_of: CertificateView | None = None  # waiting for a reason
        self.preview: Preview | None = None
        self.printed: CollectOutcome | None = None

    def open(self) -> None:
        session = self.app.terminal.sessions.current
        if session is None or session.identity is None:
            self.app.ask_identity(then=self.open)
            return
        if self.session is not session:
            self.forget()
            self.session = session
        self.certificates = None  # fresh from the platform each time the tile is opened
        self.app.show("collect_list")

    def make_journey(self) -> CollectJourney:
        """On a worker (cheap, but keeps every journey's start in one place)."""
        if self.journey is None:
            assert self.session is not None
            self.journey = collect_journey(self.app.terminal, self.session)
        return self.journey

    def forget(self) -> None:
        self.session = self.journey = self.certificates = None
        self.reprint_of = self.preview = self.printed = None
