"""Who is at the screen: ID card, smart card and QR events turned into sessions.

The identity devices (kind idcard, smartcard, qr_camera, qr_serial) call us on their own
threads. A card read starts a session (or names the citizen of a running anonymous one); the
removal of that card ends that session and no other; an e-ID QR code starts a session; an
appointment code and every refusal become an `IdentityEvent` for the screens, which hop it
onto their main loop. A card lifted while its citizen has unsaved work (`Session.has_unsaved_work`)
ends nothing for `card_grace_s` (10 s): the same person's card (or code) within it carries on
the same session; another person's card, or the time running out, ends and wipes it as a
removal does (the screens show the seconds left, from `grace_left()`). A receipt's progress code (`GOVKIOSK:R:`) is neither: it becomes a
RECEIPT_SCANNED event carrying the code, unchecked (the progress journey checks it against the
fleet key), and starts no session. Events and logs carry masked data and stable reason codes
only.

Whatever a device hands us (a bad card, a garbled event), the callback never raises: the
terminal keeps serving the next citizen.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from drivers.device import Device, DeviceEvent, DeviceState, EventKind
from drivers.idcard.card import ForeignPermanentResidentCard, HmtResidencePermit, ResidentCard
from drivers.smartcard.card_auth import CardNotAuthentic, verify_card
from drivers.smartcard.identity import Identity as SmartcardIdentity
from drivers.smartcard.reader import CardProof
from kiosk.listeners import Listeners
from kiosk.receipts.progress_qr import CODE_KIND, MAX_TEXT, PREFIX as QR_PREFIX
from kiosk.session.qr_identity import CLOCK_SKEW_S as EID_CLOCK_SKEW_S
from kiosk.session.qr_identity import MAX_AGE_S as EID_MAX_AGE_S
from kiosk.session import (AppointmentCode, EndReason, Identity, IdentityError, QrRefused,
                           SessionEnded, SessionManager, parse_qr)

log = logging.getLogger(__name__)

CARD_KINDS = ("idcard", "smartcard")
QR_KINDS = ("qr_camera", "qr_serial")

# Stable reason codes (the screens translate them; see the i18n catalogue).
READ_FAILED_REASONS = ("card_unreadable", "card_expired", "card_not_supported", "bad_card_data",
                       "card_not_authentic")
QR_REFUSED_REASONS = ("not_ours", "malformed", "bad_signature", "expired", "too_long",
                      "unreadable", "replayed")

CARD_GRACE_S = 10.0  # a lifted card may come back this long without losing the citizen's work
RECEIPT_PREFIX = f"{QR_PREFIX}:{CODE_KIND}:"  # an application receipt's progress code
_ID_CARDS = (ResidentCard, HmtResidencePermit, ForeignPermanentResidentCard)


class IdentityEventKind(enum.StrEnum):
    SESSION_STARTED = "session_started"
    CARD_REMOVED = "card_removed"
    CARD_RETURNED = "card_returned"  # the same citizen's card back within the grace period
    QR_REFUSED = "qr_refused"
    APPOINTMENT_SCANNED = "appointment_scanned"
    RECEIPT_SCANNED = "receipt_scanned"
    READ_FAILED = "read_failed"


@dataclass(frozen=True, slots=True)
class IdentityEvent:
    """What the screens hear: small, immutable, nothing unmasked."""

    kind: IdentityEventKind
    source: str | None = None  # idcard | smartcard | qr
    device: str | None = None  # the device's name
    session_id: str | None = None  # started, attached to, or ended
    reason: str | None = None  # read_failed / qr_refused: a stable code
    masked_name: str | None = None  # session_started: for the greeting ("您好，张*")
    masked_id: str | None = None
    senior: bool = False  # session_started: old enough to be offered elder mode (no age given)
    attached: bool = False  # session_started: the identity joined a running anonymous session
    booking_code: str | None = None  # appointment_scanned (not a secret: it finds the booking)
    receipt_code: str | None = None  # receipt_scanned: the code as scanned (no personal data)
    grace_s: float | None = None  # card_removed: the session waits this long for the card


@dataclass(slots=True)
class _Grace:
    """A lifted card's session, waiting for the card to come back."""

    session_id: str
    until: float  # time.monotonic()
    timer: threading.Timer


Listener = Callable[[IdentityEvent], None]


class IdentityService:
    """Subscribes to the identity devices; call `close()` to let go of them.

    Build it before the devices start, so that a card already lying on the reader is seen.
    """

    def __init__(self, devices: Iterable[Device], sessions: SessionManager,
                 eid_public_key: bytes | None, *, accept_expired: bool = False,
                 card_issuer_root: x509.Certificate | None = None,
                 card_grace_s: float = CARD_GRACE_S, senior_from_age: int = 0):
        """`card_issuer_root`: the smart-card issuer's root; without it no smart card is
        accepted (a card is data anyone can copy until it proves its key). `card_grace_s`:
        how long a lifted card's session with unsaved work waits for it (0: none)."""
        self._card_root = card_issuer_root
        self._senior_from_age = senior_from_age  # 0: nobody is offered elder mode by age
        self._grace_s = card_grace_s
        self._grace: _Grace | None = None
        self._sessions = sessions
        self._eid_key = eid_public_key
        self._accept_expired = accept_expired
        self._lock = threading.RLock()
        self._bound: dict[str, str] = {}  # card device name -> the session its card identifies
        # e-ID codes taken here: jti -> (the session it identified, when it was taken). A code
        # is one use: held in view it keeps its own session, shown again later it is refused.
        self._eid_used: dict[str, tuple[str, float]] = {}
        self._listeners: Listeners[IdentityEvent] = Listeners("identity")
        self._unsubscribe: list[Callable[[], None]] = []
        for device in devices:
            kind = getattr(device, "kind", "")
            if kind in CARD_KINDS or kind in QR_KINDS:
                self._unsubscribe.append(device.subscribe(self._guarded(device.name, kind)))

    # ---- for the screens ---------------------------------------------------------------------

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call `callback(event)` (on a driver thread) for every IdentityEvent."""
        return self._listeners.add(callback)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        with self._lock:
            grace, self._grace = self._grace, None
        if grace is not None:
            grace.timer.cancel()

    def grace_left(self) -> float | None:
        """Seconds the current session still waits for its lifted card, or None."""
        with self._lock:
            grace = self._grace
        current = self._sessions.current
        if grace is None or current is None or current.session_id != grace.session_id:
            return None
        return max(0.0, grace.until - time.monotonic())

    # ---- dispatch ----------------------------------------------------------------------------

    def _guarded(self, device: str, kind: str) -> Callable[[DeviceEvent], None]:
        def on_event(event: DeviceEvent) -> None:
            try:
                self._on_event(device, kind, event)
            except Exception as exc:  # garbage from a device must not stop the service
                # the type only: a message could quote what the device sent
                log.error("%s: %s event not handled (%s)", device,
                          getattr(event, "kind", "?"), type(exc).__name__)
        return on_event

    def _on_event(self, device: str, kind: str, event: DeviceEvent) -> None:
        data = event.data if isinstance(event.data, Mapping) else {}
        if kind in QR_KINDS:
            if event.kind == EventKind.CODE_SCANNED:
                self._on_code(device, data)
            return
        source = kind
        if event.kind == EventKind.CARD_INSERTED:
            self._on_card(device, source, data)
        elif event.kind == EventKind.CARD_REMOVED:
            self._on_removed(device, source)
        elif event.kind == EventKind.STATUS_CHANGED:
            self._on_status(device, source, data)

    # ---- cards -------------------------------------------------------------------------------

    def _on_card(self, device: str, source: str, data: Mapping[str, Any]) -> None:
        identity, reason = self._identity_of_card(source, data)
        if identity is None:
            log.warning("%s: card not accepted (%s)", device, reason)
            self._emit(IdentityEvent(IdentityEventKind.READ_FAILED, source, device,
                                     reason=reason))
            return
        self._identified(identity, device, bind=True)

    def _identity_of_card(self, source: str, data: Mapping[str, Any]
                          ) -> tuple[Identity | None, str]:
        """The session identity from a CARD_INSERTED payload, else (None, reason code)."""
        if source == "idcard":
            card = data.get("card")
            if not isinstance(card, _ID_CARDS):
                return None, "bad_card_data"
            try:
                if data.get("expired") is True and not self._accept_expired:
                    return None, "card_expired"
                try:
                    return Identity.from_id_card(card), ""
                except IdentityError:
                    return None, "card_not_supported"
            finally:
                card.wipe()  # the identity holds its own copy of the photo
        ident = data.get("identity")
        if ident is None:
            return None, "card_unreadable" if data.get("identity_error") else "bad_card_data"
        if not isinstance(ident, SmartcardIdentity):
            return None, "bad_card_data"
        if data.get("expired") is True and not self._accept_expired:
            return None, "card_expired"
        proof = data.get("proof")
        refused = self._not_authentic(ident, proof)
        if refused:
            log.warning("smart card refused: not authentic (%s)", refused)
            return None, "card_not_authentic"
        assert isinstance(proof, CardProof)  # an authentic card showed its proof
        try:
            return Identity.from_smartcard(ident, proof.certificate), ""
        except IdentityError:
            return None, "card_not_supported"

    def _not_authentic(self, ident: SmartcardIdentity, proof: object) -> str:
        """Why the card did not prove it is genuine ('' when it did)."""
        if self._card_root is None:
            return "no_issuer_root_configured"
        if not isinstance(proof, CardProof):
            return "no_certificate"
        try:
            verify_card(self._card_root, proof.certificate, proof.challenge, proof.signature,
                        id_number=ident.id_number, card_number=ident.card_number)
        except CardNotAuthentic as exc:
            return exc.reason
        return ""

    def _on_removed(self, device: str, source: str) -> None:
        with self._lock:
            session_id = self._bound.pop(device, None)
            if session_id is not None and self._grace_s > 0 and self._unsaved(session_id):
                self._start_grace(session_id)
                log.info("%s: card removed, session %s waits %.0f s for it", device,
                         session_id, self._grace_s)
                grace_s: float | None = self._grace_s
                ended = True  # the event names the session, which the screens then cover
            else:
                grace_s = None
                ended = session_id is not None and self._sessions.end(
                    EndReason.CARD_REMOVED, session_id=session_id)
                log.info("%s: card removed%s", device,
                         f", session {session_id} ended" if ended else "")
        self._emit(IdentityEvent(IdentityEventKind.CARD_REMOVED, source, device,
                                 session_id=session_id if ended else None, grace_s=grace_s))

    def _unsaved(self, session_id: str) -> bool:
        current = self._sessions.current
        if current is None or current.session_id != session_id:
            return False
        try:
            return current.has_unsaved_work
        except SessionEnded:
            return False

    def _start_grace(self, session_id: str) -> None:
        """Under the lock: wait for the card; when the time runs out, end the session."""
        if self._grace is not None:
            self._grace.timer.cancel()
        timer = threading.Timer(self._grace_s, lambda: self._grace_over(grace))
        timer.daemon = True
        grace = _Grace(session_id, time.monotonic() + self._grace_s, timer)
        self._grace = grace
        timer.start()

    def _grace_over(self, grace: _Grace) -> None:
        with self._lock:
            if self._grace is not grace:
                return  # the card came back, or another took its place
            self._grace = None
            ended = self._sessions.end(EndReason.CARD_REMOVED, session_id=grace.session_id)
        log.info("session %s: the card did not come back%s", grace.session_id,
                 ", ended" if ended else "")

    def _resolve_grace(self, identity: Identity) -> bool:
        """Under the lock, before an identification: True when it is the waiting session's
        own citizen back (the session carries on); another person ends that session first,
        wiped as a removal would, so nobody continues someone else's work."""
        grace, self._grace = self._grace, None
        if grace is None:
            return False
        grace.timer.cancel()
        current = self._sessions.current
        if current is not None and current.session_id == grace.session_id:
            mine = _identity_of(current)
            if mine is not None and _same_person(mine, identity):
                return True
            self._sessions.end(EndReason.CARD_REMOVED, session_id=grace.session_id)
            log.info("session %s: another person identified while it waited for its card;"
                     " ended", grace.session_id)
        return False

    def _on_status(self, device: str, source: str, data: Mapping[str, Any]) -> None:
        """A card the reader gave up on (user_error card_unreadable) is a read failure."""
        status = data.get("status")
        previous = data.get("previous")
        if not isinstance(status, Mapping):
            return
        unreadable = (status.get("state") == DeviceState.USER_ERROR
                      and status.get("reason") == "card_unreadable")
        was = isinstance(previous, Mapping) and previous.get("reason") == "card_unreadable"
        if unreadable and not was:
            self._emit(IdentityEvent(IdentityEventKind.READ_FAILED, source, device,
                                     reason="card_unreadable"))

    # ---- QR codes ----------------------------------------------------------------------------

    def _on_code(self, device: str, data: Mapping[str, Any]) -> None:
        text = data.get("text")
        if text is None or data.get("refused"):
            refused = data.get("refused")
            self._refuse(device, "too_long" if refused == "too_long" else "unreadable")
            return
        if isinstance(text, str) and text.startswith(RECEIPT_PREFIX) and len(text) <= MAX_TEXT:
            log.info("%s: receipt code scanned", device)
            self._emit(IdentityEvent(IdentityEventKind.RECEIPT_SCANNED, "qr", device,
                                     receipt_code=text))
            return
        try:
            parsed = parse_qr(text, eid_key=self._eid_key)
        except QrRefused as exc:
            reason = exc.reason if exc.reason in QR_REFUSED_REASONS else "malformed"
            self._refuse(device, reason)
            return
        if isinstance(parsed, AppointmentCode):
            log.info("%s: appointment code scanned", device)
            self._emit(IdentityEvent(IdentityEventKind.APPOINTMENT_SCANNED, "qr", device,
                                     booking_code=parsed.booking_code))
            return
        if not self._eid_fresh(parsed):
            self._refuse(device, "replayed")
            return
        self._identified(parsed, device, bind=False)
        current = self._sessions.current
        if current is not None and parsed.evidence_id:
            with self._lock:
                self._eid_used[parsed.evidence_id] = (current.session_id, time.monotonic())

    def _eid_fresh(self, identity: Identity) -> bool:
        """Whether an e-ID code may identify now: never taken, or taken by the session that
        is still running (the camera sees a code held in view again and again)."""
        if identity.evidence_id is None:
            return True
        now = time.monotonic()
        with self._lock:
            horizon = now - (EID_MAX_AGE_S + EID_CLOCK_SKEW_S)  # older codes are refused anyway
            for jti in [j for j, (_, at) in self._eid_used.items() if at < horizon]:
                del self._eid_used[jti]
            used = self._eid_used.get(identity.evidence_id)
            current = self._sessions.current
        return used is None or (current is not None and used[0] == current.session_id)

    def _refuse(self, device: str, reason: str) -> None:
        log.info("%s: code refused (%s)", device, reason)
        self._emit(IdentityEvent(IdentityEventKind.QR_REFUSED, "qr", device, reason=reason))

    # ---- sessions ----------------------------------------------------------------------------

    def _identified(self, identity: Identity, device: str, *, bind: bool) -> None:
        """Start a session for `identity`, or attach it to a running anonymous one.

        The same citizen identifying again (a code held in view, a second card of theirs, their
        lifted card put back) keeps their session: restarting it would throw away what they
        have filled in.
        """
        attached = False
        with self._lock:
            returned = self._resolve_grace(identity)
            current = self._sessions.current
            current_identity = _identity_of(current)
            if current is not None and current_identity is not None and \
                    _same_person(current_identity, identity):
                if bind:
                    self._bound[device] = current.session_id
                    if current_identity.source == "qr":  # a card says more than a code
                        _attach(current, identity)
                log.info("%s: %r identified again in session %s", device, identity,
                         current.session_id)
                again: IdentityEvent | None = IdentityEvent(
                    IdentityEventKind.CARD_RETURNED, identity.source, device,
                    session_id=current.session_id) if returned else None
            else:
                again = None
                if current is not None and current_identity is None and \
                        _attach(current, identity):
                    session = current
                    attached = True
                else:
                    session = self._sessions.start(identity, previous=EndReason.FINISHED)
                self._bound = {d: s for d, s in self._bound.items() if s == session.session_id}
                if bind:
                    self._bound[device] = session.session_id
        if current is not None and current_identity is not None and \
                _same_person(current_identity, identity):
            if again is not None:
                self._emit(again)
            return
        log.info("%s: %r, session %s %s", device, identity, session.session_id,
                 "identified" if attached else "started")
        self._emit(IdentityEvent(IdentityEventKind.SESSION_STARTED, identity.source, device,
                                 session_id=session.session_id,
                                 masked_name=identity.masked_name,
                                 masked_id=identity.masked_id, attached=attached,
                                 senior=self._senior(identity.birth_date)))

    def _senior(self, birth: dt.date | None, today: dt.date | None = None) -> bool:
        if not self._senior_from_age or birth is None:
            return False
        today = today or dt.date.today()
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        return age >= self._senior_from_age

    def _emit(self, event: IdentityEvent) -> None:
        self._listeners.notify(event)


def _identity_of(session: Any) -> Identity | None:
    if session is None:
        return None
    try:
        return session.identity
    except SessionEnded:
        return None


def _attach(session: Any, identity: Identity) -> bool:
    try:
        session.attach_identity(identity)
        return True
    except SessionEnded:  # it ended between our look and now: start afresh instead
        return False


def _same_person(a: Identity, b: Identity) -> bool:
    return a.id_kind == b.id_kind and a.id_number == b.id_number


def load_eid_public_key(path: str | Path) -> bytes | None:
    """The e-ID issuer's Ed25519 key from `session.eid_public_key_file`: raw 32 bytes or PEM.

    Empty path -> None (every e-ID code is then refused as bad_signature). A file that holds
    no Ed25519 key is a configuration error and raises ValueError naming the file.
    """
    if not str(path):
        return None
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = Path(path).read_bytes()
    if len(raw) == 32:
        return raw
    try:
        key = serialization.load_pem_public_key(raw)
    except ValueError:
        raise ValueError(f"{path}: not an Ed25519 public key (raw 32 bytes or PEM)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: the key is not Ed25519")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
