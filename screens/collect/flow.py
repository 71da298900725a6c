"""The current citizen's collect journey and what its screens share.

One journey per session: made when the citizen opens the tile (after identifying, since the
list is theirs), forgotten when the session ends (the session's wipe takes its data)."""

from __future__ import annotations

from kiosk.journeys.collect import CertificateView, CollectJourney, CollectOutcome, Preview, collect_journey
from kiosk.session import Session
from screens.flow import Flow
from kiosk.i18n.messages import N_
from screens.frame_model import Step

# the numbered steps of the journey's step bar, each with the screens that belong to it
STEPS = (Step(N_("Choose"), ("collect_list", "collect_reason")),
         Step(N_("Check and print"), ("collect_preview",)))


class CollectFlow(Flow[CollectJourney]):
    steps = STEPS
    first_screen = "collect_list"
    holder_journey = "collect"

    def reset(self) -> None:
        self.certificates: list[CertificateView] | None = None
        self.reprint_of: CertificateView | None = None  # waiting for a reason
        self.preview: Preview | None = None
        self.printed: CollectOutcome | None = None
        # the certificate (and reprint reason) whose preview is being made: the preview
        # screen comes on at once with what the list already said, and fills in
        self.choosing: tuple[CertificateView, str | None] | None = None

    def choose(self, certificate: CertificateView, reprint_reason: str | None) -> None:
        self.choosing, self.preview, self.printed = (certificate, reprint_reason), None, None
        self.app.show("collect_preview")

    def opening(self) -> None:
        self.certificates = None  # fresh from the platform each time the tile is opened

    def build(self, session: Session) -> CollectJourney:
        return collect_journey(self.app.terminal, session)
