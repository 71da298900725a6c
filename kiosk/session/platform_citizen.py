"""The citizen's session at the platform, as the terminal's session holds it.

The platform's token and filing grant are secrets of one citizen's visit: they live in the
terminal session's bag, so its wipe forgets them, and the wipe ends the platform session too
(on a thread of its own: a session may end on the UI thread). `citizen_client` is how a
journey reaches the citizen's data: in their verified platform session when there is one.
"""

from __future__ import annotations

import base64
import logging
import threading
from typing import Any

from kiosk.api import models as m
from kiosk.client.errors import PlatformError
from kiosk.client.platform import PlatformClient
from kiosk.session.session import EndReason, Session, SessionEnded

log = logging.getLogger(__name__)

BAG_KEY = "platform_citizen"
GRANT_FIELD = "filing_grant"  # in a sealed outbox body: kiosk.delivery sends it as a header


class PlatformCitizen:
    """The citizen's session at the platform. Secrets stay in here; `repr` shows none."""

    def __init__(self, client: PlatformClient, opened: m.CitizenSession) -> None:
        if not opened.token:
            raise ValueError("an opened citizen session carries its token")
        self._client = client
        self._token: str | None = opened.token
        self.session_id = opened.session_id
        self.factors = tuple(opened.holder_factors)  # what the platform offers this citizen
        self.proved: set[str] = set()  # the factors the holder has proved in this session
        self.filing_grant: str | None = None
        # what a smart card's holder proof signs (the platform's nonce for this session)
        self.card_challenge = _unb64(opened.card_challenge) if opened.card_challenge else None

    def __repr__(self) -> str:
        return f"PlatformCitizen({self.session_id}, proved={sorted(self.proved)})"

    @property
    def verified(self) -> bool:
        return bool(self.proved)

    def client(self) -> PlatformClient:
        """The terminal's client, in this citizen's session."""
        if self._token is None:
            raise SessionEnded(self.session_id, EndReason.FINISHED)
        return self._client.for_citizen(self._token)

    def wipe(self) -> None:
        """The terminal's session ended: forget the secrets and end the platform's session
        (on a thread of its own: the caller may be the UI; a failure only leaves the platform
        session to its idle timeout)."""
        token, self._token, self.filing_grant = self._token, None, None
        if token is None:
            return
        threading.Thread(target=_end, args=(self._client, token, self.session_id),
                         name="end-citizen-session", daemon=True).start()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _end(client: PlatformClient, token: str, session_id: str) -> None:
    try:
        client.for_citizen(token).end_citizen_session()
    except PlatformError as exc:
        log.info("citizen session %s not ended at the platform (%s); it times out there",
                 session_id, type(exc).__name__)


def _citizen(session: Session) -> PlatformCitizen | None:
    citizen = session.get(BAG_KEY)
    return citizen if isinstance(citizen, PlatformCitizen) else None


def citizen_client(session: Session, client: PlatformClient) -> PlatformClient:
    """The client a journey reaches the citizen's data with: in the citizen's verified
    platform session when there is one; else the terminal's own (what a platform that does
    not require citizen sessions still serves)."""
    try:
        citizen = _citizen(session)
        if citizen is not None and citizen.verified:
            return citizen.client()
    except SessionEnded:  # the citizen has left: nothing of theirs is reachable any more
        pass
    return client


def with_filing_grant(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    """An outbox body that carries the citizen's filing grant (sealed with it), so the outbox
    can deliver after the citizen has left; unchanged when the holder was not verified (only
    a verification gives a grant)."""
    citizen = _citizen(session)
    if citizen is not None and citizen.filing_grant:
        return {**body, GRANT_FIELD: citizen.filing_grant}
    return body


def holder_verified(session: Session, accepted: tuple[str, ...] | None = None) -> bool:
    """The session's citizen has proved to the platform that they hold the identity (by one of
    the `accepted` factors, when a journey names them)."""
    citizen = _citizen(session)
    if citizen is None:
        return False
    return bool(citizen.proved & set(accepted)) if accepted is not None else citizen.verified
