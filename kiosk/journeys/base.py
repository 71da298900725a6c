"""What every journey shares: its citizen's session (all their data lives there, so the
session's wipe takes it), one lock so a double tap never does anything twice, and the step it
is at, which each method checks (a wrong order is the screens' bug: WrongStep)."""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Mapping
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


# A text in both languages, as the contract's Localized: {"zh-CN": ..., "en": ...}. A view keeps
# both and a screen picks the citizen's language when it draws: the citizen may switch language
# while a list fetched in the other one is on the glass.
Words = Mapping[str, str]


def both_languages(both: m.Localized | None, chinese: str = "") -> Words:
    """Both languages where the platform gave them, else the Chinese alone (an older platform,
    a record made before it had both)."""
    return both.model_dump(by_alias=True) if both is not None else {"zh-CN": chinese}


def localized(text: m.Localized, language: str) -> str:
    """`text` in `language`: for what is worded now (a view rebuilt at each refresh, a slip)."""
    return text.en if language == "en" else text.zh_cn


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
        self._usage: tuple[str, str] | None = None  # (journey, service) begun, not ended
        self._usage_lock = threading.Lock()  # not _lock: the session may end while it is held
        self._watching_end = False

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

    # ---- usage, for the operations console (journey_init / journey_complete) -------------

    def _began(self, service: str, journey: str | None = None) -> None:
        """The citizen committed to a journey for `service` (its service_id, else the
        journey's own name): `journey_init`. Until `_completed`, it is open: should the
        session end first, it was abandoned at its step; a different journey or service
        begun meanwhile abandons it ("switched"). The same one again is no new journey."""
        begun = (journey or self.name, service)
        with self._usage_lock:
            if self._usage == begun:
                return
            switched, self._usage = self._usage, begun
            watch, self._watching_end = not self._watching_end, True
        if switched is not None:
            self._ended(switched, "cancelled", "switched")
        emit("journey_init", session=self._session.session_id, journey=begun[0],
             service=begun[1])
        if watch:
            self._session.on_end(self._left)

    def _completed(self, disposition: str = "success", reason: str | None = None) -> None:
        """The open journey ends: success only at its real success point; cancelled when the
        citizen left it (at `_usage_step()`). Nothing open: nothing said (a retry, a double
        tap)."""
        with self._usage_lock:
            begun, self._usage = self._usage, None
        if begun is not None:
            self._ended(begun, disposition, reason)

    def _ended(self, begun: tuple[str, str], disposition: str, reason: str | None) -> None:
        emit("journey_complete", disposition, session=self._session.session_id,
             journey=begun[0], service=begun[1], step=self._usage_step(), reason=reason)

    def _usage_step(self) -> str:
        """Where the citizen is, as the console's "abandoned at" names it."""
        return str(self._step)

    def _abandon(self) -> None:
        """The citizen left this journey's screens (its finish) with it still open."""
        self._completed("cancelled", reason="left")

    def _left(self, reason: object) -> None:
        self._completed("cancelled", reason=str(reason))  # the session ended: EndReason

    def _identity(self) -> Identity:
        return identified(self._session)

    def _platform(self) -> PlatformClient:
        """The platform as this citizen reaches it: in their verified platform session, if
        any (every read or change of their data goes through here)."""
        return citizen_client(self._session, self._client)  # type: ignore[attr-defined]
