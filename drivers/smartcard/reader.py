"""SmartCardReader: one PC/SC reader as a Device, with card events and APDU exchange.

Presence comes from PcscWatcher (its own context on the driver thread); card I/O goes through
CardChannel (its own thread and context) so a dead card only fails the calls made to it.
On insertion the driver reads the project's applet (SELECT AID, READ BINARY EF 0101) and puts
the parsed Identity in the CARD_INSERTED event; Identity's repr is masked, so logging an
event never leaks an ID number.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from smartcard import scard

from drivers.device import (Device, DeviceError, DeviceState, DeviceStatus, EventKind)
from drivers.smartcard.apdu import (SW_END_OF_FILE, SW_FILE_NOT_FOUND, ApduError, ResponseApdu,
                                    internal_authenticate, read_binary, select_aid, select_ef,
                                    sw_text, transmit_with_fixups)
from drivers.smartcard.applet import APPLET_AID, EF_CERTIFICATE, EF_IDENTITY
from drivers.smartcard.card_auth import MAX_CERTIFICATE, new_challenge
from drivers.smartcard.card_channel import CardChannel
from drivers.smartcard.identity import Identity, IdentityFormatError
from drivers.smartcard.watcher import (Change, PcscError, PcscWatcher, check,
                                       use_pcscd_socket)

log = logging.getLogger(__name__)

MAX_IDENTITY_FILE = 4096
_PROTOCOL_NAMES = {scard.SCARD_PROTOCOL_T0: "T=0", scard.SCARD_PROTOCOL_T1: "T=1"}


@dataclass(frozen=True, slots=True)
class CardProof:
    """What the card showed of its authenticity: its certificate (None: it has none) and its
    signature over the challenge the reader chose. Judged by the terminal (card_auth.py)."""
    certificate: bytes | None
    challenge: bytes
    signature: bytes | None


@dataclass(frozen=True, slots=True)
class CardInfo:
    reader: str
    atr: bytes
    protocol: str
    identity: Identity | None
    identity_error: str | None
    proof: CardProof | None = None


class _Link:
    """Card-thread state: a PC/SC context and a card handle, re-made after any error."""

    def __init__(self) -> None:
        self.ctx: int | None = None
        self.handle: int | None = None
        self.protocol = 0

    def connect(self, reader: str) -> tuple[bytes, int]:
        """Connect to the card; a context left stale by a pcscd restart is replaced once."""
        try:
            return self._connect_once(reader)
        except PcscError:
            return self._connect_once(reader)

    def _connect_once(self, reader: str) -> tuple[bytes, int]:
        self.disconnect()
        if self.ctx is None:
            hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            check("SCardEstablishContext", hr)
            self.ctx = ctx
        try:
            # Offer both protocols; pcscd picks the one the ATR offers (T=0-only card -> T=0).
            hr, handle, protocol = scard.SCardConnect(
                self.ctx, reader, scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
            check("SCardConnect", hr)
            self.handle, self.protocol = handle, protocol
            hr, _name, _state, _proto, atr = scard.SCardStatus(handle)
            check("SCardStatus", hr)
        except Exception:
            self.reset_all()
            raise
        return bytes(atr), protocol

    def send(self, apdu: bytes) -> bytes:
        if self.handle is None:
            raise DeviceError("no_card", "no card is connected")
        pci = scard.SCARD_PCI_T0 if self.protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1
        hr, response = scard.SCardTransmit(self.handle, pci, list(apdu))
        if hr != scard.SCARD_S_SUCCESS:
            self.reset_all()
            raise DeviceError("transmit_failed", str(PcscError("SCardTransmit", hr)))
        return bytes(response)

    def disconnect(self, reset: bool = True) -> None:
        """Reset on the way out while the card is still in, so a PIN verified in one session
        never carries over to the next; a card that left needs no reset."""
        handle, self.handle = self.handle, None
        if handle is not None:
            try:
                scard.SCardDisconnect(handle, scard.SCARD_RESET_CARD if reset
                                      else scard.SCARD_LEAVE_CARD)
            except Exception:
                pass

    def reset_all(self) -> None:
        self.disconnect()
        ctx, self.ctx = self.ctx, None
        if ctx is not None:
            try:
                scard.SCardReleaseContext(ctx)
            except Exception:
                pass


class SmartCardReader(Device):
    kind = "smartcard"

    def __init__(self, name: str = "smartcard", *, reader: str = "", apdu_timeout: float = 3.0,
                 poll_interval: float = 0.5, missed_polls_to_offline: int = 3,
                 reopen_interval: float | None = None, read_identity: bool = True,
                 pcscd_socket: str = ""):
        """`reader`: substring of the PC/SC reader name (empty = the first reader listed);
        `pcscd_socket`: the daemon's socket when it is not the system's (see use_pcscd_socket)."""
        use_pcscd_socket(pcscd_socket)
        super().__init__(name, poll_interval=poll_interval,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval if reopen_interval is not None
                         else poll_interval)
        self.reader_filter = reader
        self.apdu_timeout = apdu_timeout
        self.read_identity = read_identity
        self._watcher: PcscWatcher | None = None
        self._channel = CardChannel(name)
        self._link = _Link()  # touched only on the card thread
        self._reader_name: str | None = None
        self._card: CardInfo | None = None
        self._just_opened = False

    # ---- public, non-blocking ------------------------------------------------------------

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"reader": self._reader_name, "protocols": ["T=0", "T=1"],
                "applet_aid": APPLET_AID.hex().upper(), "apdu_timeout_s": self.apdu_timeout}

    @property
    def card(self) -> CardInfo | None:
        """The card in the reader as last read, or None."""
        return self._card

    def transmit(self, apdu: bytes, action_id: str | None = None) -> Future[bytes]:
        """Send one command APDU; the Future gives the response (data + SW1 SW2) or fails with
        DeviceError ('timeout', 'no_card', 'card_unresponsive', 'bad_apdu', ...) within
        apdu_timeout_s. A repeated action_id returns the first attempt's Future."""
        if action_id is not None:
            fut, is_new = self._ledger.claim(action_id)
            if not is_new:
                return fut
        else:
            fut = Future()
        try:
            apdu = bytes(apdu)
            if not 4 <= len(apdu) <= 261:
                raise DeviceError("bad_apdu",
                                  f"a short command APDU is 4-261 bytes, got {len(apdu)}")
            self._require_usable()
            if self._card is None:
                raise DeviceError("no_card", f"{self.name}: no card in the reader")
        except Exception as exc:
            fut.set_exception(exc)
            return fut
        inner = self._channel.run(lambda: transmit_with_fixups(self._link.send, apdu),
                                  self.apdu_timeout, f"APDU {apdu[:4].hex().upper()}")
        _chain(inner, fut)
        return fut

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        try:  # release the card before returning, so a caller may pull it right after
            self._channel.run(self._link.reset_all, 1.0, "release").result(1.5)
        except Exception as exc:
            log.warning("%s: releasing the card failed: %s", self.name, exc)
        self._channel.stop()

    # ---- Device hooks (driver thread) ----------------------------------------------------

    def _open(self) -> None:
        self._watcher = PcscWatcher()
        self._just_opened = True  # the poll that follows an open must not wait for a change
        self._handle_changes(self._watcher.step(0))
        if not self._watcher.service_ok:
            raise DeviceError("no_service", self._watcher.last_error or "pcscd not reachable")

    def _close(self) -> None:
        if self._watcher is not None:
            self._handle_changes([Change("card_removed", r, detail="closed")
                                  for r in self._watcher.readers if self._watcher.card_present(r)])
            self._watcher.close()
            self._watcher = None
        self._reader_name = None

    def _poll(self) -> DeviceStatus:
        assert self._watcher is not None
        wait = 0.0 if self._just_opened else min(self.poll_interval, 1.0)
        self._just_opened = False
        self._handle_changes(self._watcher.step(wait))
        if not self._watcher.service_ok:
            raise DeviceError("no_service", self._watcher.last_error or "pcscd not reachable")
        if self._reader_name is None:
            raise DeviceError("no_reader", f"no reader matching {self.reader_filter!r}"
                              if self.reader_filter else "no reader attached")
        return DeviceStatus(DeviceState.ONLINE, None, self._reader_name)

    # ---- internals -----------------------------------------------------------------------

    def _pick_reader(self) -> str | None:
        assert self._watcher is not None
        for name in self._watcher.readers:
            if self.reader_filter in name:
                return name
        return None

    def _handle_changes(self, changes: list[Change]) -> None:
        for change in changes:
            log.debug("%s: %s %s", self.name, change.kind, change.reader)
            if change.kind == "card_removed" and change.reader == self._reader_name:
                self._card_gone(change.detail or "removed")
        if self._watcher is not None:
            picked = self._pick_reader() if self._watcher.service_ok else None
            if picked != self._reader_name:
                if self._card is not None:
                    self._card_gone("reader_changed")
                self._reader_name = picked
                if picked is not None and self._watcher.card_present(picked):
                    self._card_arrived(picked, self._watcher.atr(picked))
                return
        for change in changes:
            if change.kind == "card_inserted" and change.reader == self._reader_name:
                self._card_arrived(change.reader, change.atr)

    def _card_gone(self, why: str) -> None:
        card, self._card = self._card, None
        still_in = why == "closed"
        self._channel.run(lambda: self._link.disconnect(reset=still_in), 1.0, "disconnect")
        if card is not None:
            log.info("%s: card removed from %s (%s)", self.name, card.reader, why)
            self._emit(EventKind.CARD_REMOVED, {"reader": card.reader, "reason": why})

    def _card_arrived(self, reader: str, atr: bytes) -> None:
        fut = self._channel.run(lambda: self._read_card(reader), self.apdu_timeout * 2,
                                "reading the inserted card")
        try:
            card = fut.result(self.apdu_timeout * 2 + 0.5)
        except Exception as exc:  # whatever the card did, the insertion is still announced
            if not isinstance(exc, (FutureTimeout, DeviceError, PcscError, ApduError)):
                log.exception("%s: unexpected failure reading the card", self.name)
            reason = getattr(exc, "reason", type(exc).__name__)
            card = CardInfo(reader, atr, "", None, f"{reason}: {exc}"[:200])
        self._card = card
        log.info("%s: card inserted in %s, ATR %s, %s, identity %r%s", self.name, reader,
                 card.atr.hex().upper(), card.protocol or "?", card.identity,
                 f" ({card.identity_error})" if card.identity_error else "")
        self._emit(EventKind.CARD_INSERTED, {
            "reader": reader, "atr": card.atr.hex().upper(), "protocol": card.protocol,
            "identity": card.identity, "identity_error": card.identity_error,
            "expired": card.identity.expired() if card.identity else None,
            "proof": card.proof})

    def _read_card(self, reader: str) -> CardInfo:
        """On the card thread: connect, then read the applet's identity file if it has one."""
        atr, protocol = self._link.connect(reader)
        proto = _PROTOCOL_NAMES.get(protocol, f"0x{protocol:X}")
        if not self.read_identity:
            return CardInfo(reader, atr, proto, None, None)
        try:
            identity = read_identity(self._link.send)
            proof = read_proof(self._link.send)
        except (DeviceError, ApduError, IdentityFormatError) as exc:
            return CardInfo(reader, atr, proto, None, str(exc)[:200])
        return CardInfo(reader, atr, proto, identity, None, proof)


class NotOurCard(DeviceError):
    """The card does not carry the project's applet (SELECT answered 6A82 or similar)."""


def read_identity(send: Any, deadline: float | None = None) -> Identity:
    """SELECT the applet, SELECT EF 0101, READ BINARY to its end, and parse it."""
    r = ResponseApdu.parse(transmit_with_fixups(send, select_aid(APPLET_AID)))
    if not r.ok:
        raise NotOurCard("not_our_card", f"SELECT applet: SW {r.sw:04X} {sw_text(r.sw)}")
    data = _read_file(send, EF_IDENTITY, MAX_IDENTITY_FILE)
    if data is None:
        raise DeviceError("read_failed", "the applet has no identity file")
    return Identity.decode(data)


def _read_file(send: Any, fid: int, limit: int) -> bytes | None:
    """A transparent EF of the selected applet to its end; None when the card has no such file."""
    r = ResponseApdu.parse(transmit_with_fixups(send, select_ef(fid)))
    if r.sw == SW_FILE_NOT_FOUND:
        return None
    if not r.ok:
        raise DeviceError("read_failed", f"SELECT EF {fid:04X}: SW {r.sw:04X} {sw_text(r.sw)}")
    data = bytearray()
    while len(data) < limit:
        r = ResponseApdu.parse(transmit_with_fixups(send, read_binary(len(data), 256)))
        if r.sw not in (0x9000, SW_END_OF_FILE):
            raise DeviceError("read_failed", f"READ BINARY: SW {r.sw:04X} {sw_text(r.sw)}")
        data += r.data
        if r.sw == SW_END_OF_FILE or not r.data:
            break
    return bytes(data)


def read_proof(send: Any) -> CardProof:
    """The card's certificate and its signature over a fresh challenge (after read_identity:
    the applet is selected). A card without a key answers no signature; that is for the
    terminal to judge, not a read failure."""
    certificate = _read_file(send, EF_CERTIFICATE, MAX_CERTIFICATE)
    challenge = new_challenge()
    r = ResponseApdu.parse(transmit_with_fixups(send, internal_authenticate(challenge)))
    return CardProof(certificate, challenge, r.data if r.ok and r.data else None)


def _chain(inner: Future[Any], outer: Future[Any]) -> None:
    def copy(f: Future[Any]) -> None:
        if outer.done():
            return
        exc = f.exception()
        if exc is not None:
            outer.set_exception(exc)
        else:
            outer.set_result(f.result())
    inner.add_done_callback(copy)
