"""Staff sign in with their own staff card on the terminal's PC/SC reader, then its PIN.

Two steps, in this order, so that nobody can lock staff out from the screen:
1. `authenticate()`: the card in the reader proves it is a staff card (a certificate from the
   staff issuer of `[admin] staff_issuer_root_file`, a signature over a fresh challenge made
   now). A citizen's card, a forged card, no card: refused before any PIN is asked for.
2. `verify_pin(member, pin)`: the card checks its own PIN (VERIFY) and counts the tries; then
   it signs a second fresh challenge under the holder context, which it does only after a
   right PIN, and we check that signature against the certificate of step 1, so neither a card
   that merely answers 9000 nor a card swapped between the steps gets in.

The terminal stores no PIN and no counter: five wrong PINs block that one card (the staff
issuer unblocks it), and every other staff member still signs in. Blocking calls (APDUs):
from a worker, never the UI thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from cryptography import x509

from drivers.device import Device, DeviceError
from drivers.smartcard.apdu import (SW_AUTH_BLOCKED, ApduError, ResponseApdu,
                                    internal_authenticate, verify_pin)
from drivers.smartcard.card_auth import (HOLDER_CONTEXT, CardNotAuthentic, new_challenge)
from drivers.smartcard.reader import read_identity, read_proof
from drivers.smartcard.staff_auth import StaffCertificate, verify_staff_card

log = logging.getLogger(__name__)

PIN_MIN, PIN_MAX = 4, 12


class StaffRefused(PermissionError):
    """No staff member signed in; `reason` is a stable code (never card data): no_reader,
    no_card, card_failed, not_staff_card (with the card_auth reason in `detail`),
    card_blocked (a genuine card, `staff_id` named, that blocked its PIN)."""

    def __init__(self, reason: str, detail: str = "", staff_id: str | None = None) -> None:
        super().__init__(f"staff card refused: {reason}" + (f" ({detail})" if detail else ""))
        self.reason, self.detail, self.staff_id = reason, detail, staff_id


@dataclass(frozen=True)
class StaffMember:
    """A genuine staff card in the reader (not yet unlocked by its PIN)."""
    staff_id: str
    name: str = field(repr=False)  # shown to the staff member, never to a log or the trail
    card_number: str
    certificate: bytes = field(repr=False)

    def certified(self) -> StaffCertificate:
        return StaffCertificate(self.staff_id, self.name, self.card_number)


@dataclass(frozen=True)
class PinOutcome:
    ok: bool
    tries_left: int | None = None  # wrong PIN: what the card says is left
    blocked: bool = False  # the card blocked its PIN (now or before)


class StaffCardGate:
    def __init__(self, reader: Device | None, root: x509.Certificate | None, *,
                 timeout_s: float = 5.0) -> None:
        self._reader, self._root, self._timeout_s = reader, root, timeout_s

    @property
    def configured(self) -> bool:
        """A staff issuer root and a smart-card reader: without both nobody can sign in."""
        return self._reader is not None and self._root is not None

    def authenticate(self) -> StaffMember:
        """The staff card in the reader, proved now; StaffRefused otherwise."""
        if self._reader is None or self._root is None:
            raise StaffRefused("no_reader")
        if getattr(self._reader, "card", None) is None:
            raise StaffRefused("no_card")
        try:
            read_identity(self._send)  # selects the applet (a foreign card fails here)
            proof = read_proof(self._send)  # a challenge chosen now, signed now
        except (DeviceError, ApduError, ValueError) as exc:
            raise StaffRefused("card_failed", type(exc).__name__) from None
        try:
            held = verify_staff_card(self._root, proof.certificate, proof.challenge,
                                     proof.signature)
        except CardNotAuthentic as exc:
            raise StaffRefused("not_staff_card", exc.reason) from None
        assert proof.certificate is not None
        try:  # VERIFY without a PIN asks the tries left: a blocked card gets no PIN pad
            asked = ResponseApdu.parse(self._send(verify_pin(b"")))
        except (DeviceError, ApduError) as exc:
            raise StaffRefused("card_failed", type(exc).__name__) from None
        if asked.sw == SW_AUTH_BLOCKED:
            raise StaffRefused("card_blocked", staff_id=held.staff_id)
        return StaffMember(held.staff_id, held.name, held.card_number, proof.certificate)

    def verify_pin(self, member: StaffMember, pin: str) -> PinOutcome:
        """The card's own PIN check, then its holder proof checked against `member`."""
        if self._reader is None or self._root is None:
            raise StaffRefused("no_reader")
        if not (PIN_MIN <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()):
            return PinOutcome(False)
        try:
            checked = ResponseApdu.parse(self._send(verify_pin(pin.encode("ascii"))))
            if checked.sw == SW_AUTH_BLOCKED:
                return PinOutcome(False, 0, blocked=True)
            if checked.sw & 0xFFF0 == 0x63C0:
                return PinOutcome(False, checked.sw & 0x0F, blocked=checked.sw & 0x0F == 0)
            if not checked.ok:
                raise StaffRefused("card_failed", f"VERIFY SW {checked.sw:04X}")
            challenge = new_challenge()
            signed = ResponseApdu.parse(self._send(internal_authenticate(challenge,
                                                                          holder=True)))
        except (DeviceError, ApduError) as exc:
            raise StaffRefused("card_failed", type(exc).__name__) from None
        try:
            verify_staff_card(self._root, member.certificate, challenge,
                              signed.data if signed.ok else None, context=HOLDER_CONTEXT,
                              expect=member.certified())
        except CardNotAuthentic as exc:
            raise StaffRefused("not_staff_card", exc.reason) from None
        return PinOutcome(True)

    def _send(self, apdu: bytes) -> bytes:
        assert self._reader is not None
        try:
            return self._reader.transmit(apdu).result(self._timeout_s)  # type: ignore[attr-defined]
        except FutureTimeout:
            raise DeviceError("timeout", "the card did not answer in time") from None
