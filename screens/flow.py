"""What a journey's screens share for the current citizen: one journey per session, made
when the citizen opens the tile (after identifying: what it shows or files is theirs) and
forgotten when the session ends (the session's wipe takes its data; the screens let go)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from kiosk.session import Session

J = TypeVar("J")


class Flow(Generic[J]):
    first_screen = ""  # where the tile leads once the citizen is known
    holder_journey = ""  # its name in the configuration's [holder]

    def __init__(self, app: Any) -> None:
        self.app = app
        self.session: Session | None = None
        self.journey: J | None = None
        self.reset()

    def reset(self) -> None:
        """Forget what the screens hold for the citizen (each flow clears its own)."""

    def build(self, session: Session) -> J:
        """A new journey for `session` (may check the outbox or the platform link)."""
        raise NotImplementedError

    def opening(self) -> None:
        """Called each time the tile is opened for a known citizen."""

    def open(self) -> None:
        """The tile: identify first, then the journey's first screen."""
        if not self.app.require_citizen(self.holder_journey, then=self.open):
            return
        session = self.app.terminal.sessions.current
        if self.session is not session:
            self.forget()
            self.session = session
        self.opening()
        self.app.show(self.first_screen)

    def make_journey(self) -> J:
        """On a worker: the citizen's journey, made once per session."""
        if self.journey is None:
            assert self.session is not None
            self.journey = self.build(self.session)
        return self.journey

    def forget(self) -> None:
        """The session ended, or the citizen finished with this journey."""
        self.session = self.journey = None
        self.reset()
