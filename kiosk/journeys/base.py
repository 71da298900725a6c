"""What every journey shares: its citizen's session (all their data lives there, so the
session's wipe takes it), one lock so a double tap never does anything twice, and the step it
is at, which each method checks (a wrong order is the screens' bug: WrongStep)."""

from __future__ import annotations

import enum
import logging
import threading
from typing import TYPE_CHECKING, Generic, TypeVar

from kiosk.client.errors import PlatformError
from kiosk.events import emit
from kiosk.journeys.problems import WrongStep, identity_problem, platform_problem
from kiosk.session import Identity, Session
from kiosk.session.platform_citizen import citizen_client

if TYPE_CHECKING:
    from kiosk.api import models as m
    from kiosk.client.platform import PlatformClient

log = logging.getLogger(__name__)

S = TypeVar("S", bound=enum.Enum)


def identified(session: Session) -> Identity:
    """The session's identified citizen; without one, the problem that asks for the card."""
    identity = session.identity
    if identity is None:
        raise identity_problem()
    return identity


def citizens_applications(session: Session, client: PlatformClient) -> list[m.Application]:
    """The identified citizen's applications at the platform (queryApplications), a failure
    told in the citizen's words. Blocking: call from a worker."""
    identity = identified(session)
    try:
        return citizen_client(session, client).query_applications(identity.id_number)
    except PlatformError as exc:
        raise platform_problem(exc, "queryApplications failed") from None


class Journey(Generic[S]):
    name = "journey"  # in logs: "session <id>: <name> <step> -> <step>"

    def __init__(self, session: Session, first: S) -> None:
        self._session = session
        self._lock = threading.RLock()
        self._step: S = first
        self._usage_service: str | None = None  # the service of a journey begun, not ended
        self._usage_lock = threading.Lock()  # not _lock: the session may end while it is held

    @property
    def step(self) -> S:
        return self._step

    @property
    def language(self) -> str:
        return self._session.language

    def _require(self, *steps: S) -> None:
        if self._step not in steps:
            raise WrongStep(f"not allowed at step {self._step} "
                            f"(needs {', '.join(str(s) for s in steps)})")

    def _go(self, step: S) -> None:
        if step != self._step:
            log.info("session %s: %s %s -> %s", self._session.session_id, self.name,
                     self._step, step)
        self._step = step

    def _began(self, service: str) -> None:
        """The citizen chose a service: a journey begins (`journey_init`, for the console's
        usage). Should the session end before `_completed`, it was abandoned at its step."""
        with self._usage_lock:
            if self._usage_service is not None:
                return
            self._usage_service = service
        emit("journey_init", session=self._session.session_id, journey=self.name,
             service=service)
        self._session.on_end(self._left)

    def _completed(self, disposition: str = "success", reason: str | None = None) -> None:
        with self._usage_lock:
            service, self._usage_service = self._usage_service, None
        if service is not None:
            emit("journey_complete", disposition, session=self._session.session_id,
                 journey=self.name, service=service, step=str(self._step), reason=reason)

    def _left(self, reason: object) -> None:
        self._completed("cancelled", reason=str(reason))

    def _identity(self) -> Identity:
        return identified(self._session)

    def _platform(self) -> PlatformClient:
        """The platform as this citizen reaches it: in their verified platform session, if
        any (every read or change of their data goes through here)."""
        return citizen_client(self._session, self._client)  # type: ignore[attr-defined]
