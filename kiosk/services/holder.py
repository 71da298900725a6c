"""Proving that the citizen at the screen holds the identity they presented, at the platform.

A card or an e-ID code says who the citizen claims to be; a found card says the same. Before
anything personal, the terminal opens a citizen session at the platform and the citizen types
the one-time code the platform sent to the mobile it already holds (contract 1.1). The
platform's token and filing grant live in the terminal's session (`PlatformCitizen`, in its
bag, kiosk.session.platform_citizen), so the session's wipe takes them and ends the platform
session too.

Every call here blocks on the network: call from a worker, never the UI thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from drivers.device import DeviceError
from drivers.smartcard.apdu import (SW_AUTH_BLOCKED, ApduError, ResponseApdu,
                                    internal_authenticate, verify_pin)
from drivers.smartcard.reader import SmartCardReader
from kiosk.api import models as m
from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.journeys.base import identified
from kiosk.journeys.problems import JourneyProblem, platform_problem
from kiosk.session import Session
from kiosk.session.platform_citizen import BAG_KEY, PlatformCitizen

log = logging.getLogger(__name__)

EVIDENCE = {"idcard": "id_card", "smartcard": "smartcard", "qr": "eid_qr"}
# platform refusal code -> the journey problem code the screens act on
REFUSALS = {"wrong_code": "holder.wrong_code", "no_live_code": "holder.code_dead",
            "too_many_codes": "holder.too_many_codes", "rate_limited": "holder.too_many_codes",
            "no_mobile_on_file": "holder.no_mobile", "eid_replayed": "holder.eid_replayed",
            "card_proof_invalid": "holder.card_failed",
            "factor_not_offered": "holder.factor_unavailable"}


class HolderProblem(JourneyProblem):
    """A holder check that did not pass; `tries_left` for a wrong code."""

    def __init__(self, code: str, *, tries_left: int | None = None, detail: str = "") -> None:
        super().__init__(code, detail=detail)
        self.tries_left = tries_left


class HolderCheck:
    """Opens the platform session of a terminal session and verifies its holder: by the code
    the platform texts, or by a smart card's own PIN check (`card`: the reader)."""

    def __init__(self, client: PlatformClient, card: SmartCardReader | None = None,
                 card_timeout_s: float = 5.0) -> None:
        self._client = client
        self._card = card
        self._card_timeout_s = card_timeout_s

    def begin(self, session: Session) -> PlatformCitizen:
        """The session's platform session, opened now if it has none."""
        current = session.get(BAG_KEY)
        if isinstance(current, PlatformCitizen):
            return current
        identity = identified(session)
        try:
            opened = self._client.open_citizen_session(identity.id_number,
                                                       EVIDENCE[identity.source],
                                                       identity.evidence_id)
        except PlatformError as exc:
            raise _problem(exc, "openCitizenSession failed") from None
        citizen = PlatformCitizen(self._client, opened)
        session.put(BAG_KEY, citizen)
        return citizen

    def send_code(self, session: Session) -> m.HolderCodeSent:
        """Ask the platform to text a code to the citizen's mobile on file."""
        citizen = self.begin(session)
        try:
            return citizen.client().send_holder_code()
        except PlatformError as exc:
            raise _problem(exc, "sendHolderCode failed") from None

    def verify(self, session: Session, code: str) -> None:
        """Check what the citizen typed; HolderProblem (with tries left) if it is not right."""
        citizen = self.begin(session)
        if not (len(code) == 6 and code.isdigit()):
            raise HolderProblem("holder.wrong_code", detail="not six digits")
        self._prove(session, citizen, "sms_code", code=code)

    def card_pin_offered(self, session: Session) -> bool:
        """The citizen came with a smart card this terminal can talk to, and the platform
        takes the card's PIN as proof. Blocking (opens the platform session)."""
        identity = identified(session)
        if self._card is None or identity.source != "smartcard" \
                or not identity.card_certificate:
            return False
        return any(f.factor == "card_pin" for f in self.begin(session).factors)

    def verify_card_pin(self, session: Session, pin: str) -> None:
        """The card checks its PIN (VERIFY); then it signs the platform session's nonce, which
        it does only after that check, and the platform checks the proof. HolderProblem with
        the tries the card has left, or that it blocked itself."""
        citizen = self.begin(session)
        identity = identified(session)
        if not (4 <= len(pin) <= 12 and pin.isdigit()):
            raise HolderProblem("holder.pin_wrong", detail="not 4-12 digits")
        if self._card is None or citizen.card_challenge is None \
                or not identity.card_certificate:
            raise HolderProblem("holder.factor_unavailable", detail="no card factor here")
        checked = self._apdu(verify_pin(pin.encode("ascii")))
        if checked.sw == SW_AUTH_BLOCKED:
            raise HolderProblem("holder.pin_blocked", detail="the card blocked its PIN")
        if checked.sw & 0xFFF0 == 0x63C0:
            raise HolderProblem("holder.pin_wrong", tries_left=checked.sw & 0x0F,
                                detail="wrong PIN")
        if not checked.ok:
            raise HolderProblem("holder.card_failed", detail=f"VERIFY SW {checked.sw:04X}")
        signed = self._apdu(internal_authenticate(citizen.card_challenge, holder=True))
        if not signed.ok or not signed.data:
            raise HolderProblem("holder.card_failed", detail=f"holder proof SW {signed.sw:04X}")
        self._prove(session, citizen, "card_pin", certificate=identity.card_certificate,
                    signature=signed.data)

    def _prove(self, session: Session, citizen: PlatformCitizen, factor: str,
               **proof: Any) -> None:
        """Hand the proof to the platform; verified, the session keeps its filing grant."""
        try:
            verified = citizen.client().verify_holder(**proof)
        except PlatformError as exc:
            raise _problem(exc, f"verifyHolder ({factor}) failed") from None
        citizen.proved.add(factor)
        citizen.filing_grant = verified.filing_grant
        log.info("session %s: holder verified (%s)", session.session_id, factor)

    def _apdu(self, apdu: bytes) -> ResponseApdu:
        assert self._card is not None
        try:
            return ResponseApdu.parse(self._card.transmit(apdu).result(self._card_timeout_s))
        except (DeviceError, FutureTimeout, ApduError) as exc:
            raise HolderProblem("holder.card_failed", detail=type(exc).__name__) from None


def _problem(exc: PlatformError, detail: str) -> JourneyProblem:
    if exc.code in REFUSALS:  # refused (4xx), or rate-limited (429, a ServerFault)
        tries = exc.tries_left if isinstance(exc, RequestRefused) else None
        return HolderProblem(REFUSALS[exc.code], tries_left=tries, detail=detail)
    return platform_problem(exc, detail)
