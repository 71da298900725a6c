"""IdCardReader: a GA/T 467 ID card module on a serial line, as a Device.

Every poll asks FIND CARD. A new card is selected, read and parsed on the driver thread and
announced as CARD_INSERTED with the typed card in `event.data["card"]`. Modules halt a card
once it is read (FIND then fails while it stays), so presence of a known card is confirmed with
SELECT; `missed_finds_to_removed` failed checks in a row announce CARD_REMOVED. A module that
does not answer (silent, unplugged, garbled) misses polls and goes offline after
`missed_polls_to_offline`; the base thread then reopens the port behind the same path until
it answers again. The card object handed out with CARD_INSERTED belongs to the receiver (the
session), which wipes it; the driver only drops its own reference. A card that cannot be read is a card problem, not a module problem: it is
retried a few times, then reported as user_error "card_unreadable" until it is taken away.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import serial

from drivers.device import Device, DeviceState, DeviceStatus, EventKind
from drivers.idcard import frame
from drivers.idcard.card import Card, parse_base_info
from drivers.idcard.errors import (
    CardFormatError,
    FrameError,
    IdCardError,
    ModuleRejectedFrame,
    ModuleStatusError,
    ReplyTimeout,
)
from drivers.idcard.frame import Command, Reply, Status
from drivers.idcard.layout import PHOTO_LEN, TEXT_LEN
from drivers.idcard.wlt import WltDecoder

log = logging.getLogger(__name__)

_READ_DATA_MIN = 4 + TEXT_LEN  # length fields + text (photo may be absent)
# Longest reply each command can bring, in bytes on the wire: the wait for an answer is the
# configured timeout plus the time these bytes take at the line's baud rate (1.35 s for a read
# at 9600 baud, which a fixed timeout would cut off).
_REPLY_BYTES = {Command.READ_BASE: 7 + 3 + 4 + TEXT_LEN + PHOTO_LEN + 1,
                Command.READ_BASE_FP: 7 + 3 + 6 + TEXT_LEN + 2 * PHOTO_LEN + 1}


# The answers each command has of its own (GA/T 467's SAM: FIND 9F or 80, SELECT 90 or 81,
# READ 90 or 41, SELECT and READ also the card's authentication errors); a module-level error
# may answer any command.
_MODULE_ERRORS = frozenset({Status.BAD_CHECKSUM, Status.BAD_LENGTH, Status.BAD_COMMAND,
                            Status.UNAUTHORISED, Status.UNKNOWN_ERROR, Status.SELF_TEST_FAILED,
                            Status.NOT_AUTHORISED})
_CARD_ERRORS = frozenset({Status.CARD_AUTH_SAM_FAILED, Status.SAM_AUTH_CARD_FAILED,
                          Status.VERIFY_FAILED, Status.WRONG_CARD, Status.RANDOM_FAILED})
_OWN_ANSWERS = {
    Command.FIND_CARD: frozenset({Status.FOUND, Status.NO_CARD}) | _MODULE_ERRORS,
    Command.SELECT_CARD: frozenset({Status.OK, Status.SELECT_FAILED}) | _CARD_ERRORS
    | _MODULE_ERRORS,
    Command.READ_BASE: frozenset({Status.READ_FAILED}) | _CARD_ERRORS | _MODULE_ERRORS,
}
_OWN_ANSWERS[Command.READ_BASE_FP] = _OWN_ANSWERS[Command.READ_BASE]


def _plausible(command: Command, reply: Reply) -> bool:
    """Whether `reply` can be the answer to `command`. A late answer to an earlier command
    must not be taken for this one: a FIND's "no card" taken for the SELECT that followed it
    left that SELECT to land on a card placed a moment later, which then lay halted, answering
    no FIND, and was never read (seen in CI)."""
    if command in (Command.READ_BASE, Command.READ_BASE_FP):
        return (reply.sw3 == Status.OK and len(reply.data) >= _READ_DATA_MIN) or (
            reply.sw3 in _OWN_ANSWERS[command] and len(reply.data) <= 8)
    if command in _OWN_ANSWERS:
        return reply.sw3 in _OWN_ANSWERS[command] and len(reply.data) <= 8
    return reply.sw3 not in (Status.FOUND, Status.NO_CARD) and len(reply.data) <= 64


class IdCardReader(Device):
    kind = "idcard"

    def __init__(
        self,
        name: str = "idcard",
        *,
        port: str,
        baudrate: int = 115200,
        poll_interval: float = 0.3,
        missed_polls_to_offline: int = 3,
        read_timeout: float = 1.5,
        reopen_interval: float = 1.0,
        missed_finds_to_removed: int = 2,
        read_attempts: int = 3,
        reread_interval: float = 1.0,
        wlt_library: str = "",
        today: Callable[[], dt.date] | None = None,
    ):
        super().__init__(name, poll_interval=poll_interval,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval)
        self.port = port
        self.baudrate = baudrate
        self.read_timeout = read_timeout
        self.missed_finds_to_removed = missed_finds_to_removed
        self.read_attempts = read_attempts
        self.wlt = WltDecoder(wlt_library)
        self._today = today or dt.date.today
        self._serial: serial.Serial | None = None
        self._decoder = frame.FrameDecoder()
        self._card: Card | None = None
        self._card_select_data: bytes = b""
        self._card_misses = 0
        self._failed_reads = 0  # for the card now in the field
        self._unreadable = False
        # SELECT once at the next "no card": a card halted in the field answers no FIND. Set at
        # open (a card read before a restart) and after an answer missed or arriving late (the
        # module may run a command after we gave up on it, and a SELECT halts a card)
        self._probe_select = False
        self.last_error: IdCardError | None = None  # last card/line problem (no PII inside)
        self.last_read_s: float | None = None  # FIND seen -> card parsed, last read
        self.stale_replies = 0
        self.reread_interval = reread_interval
        self._same_card_rereads = 0
        self._last_read_at = 0.0

    # ---- public, non-blocking ----------------------------------------------------------------

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"card_kinds": ["resident", "foreign_permanent_2017", "foreign_permanent_2023",
                               "hmt_residence_permit"],
                "photo_decoding": self.wlt.available,
                "baudrate": self.baudrate}

    @property
    def current_card(self) -> Card | None:
        """The card in the field now, as last read (None when there is none)."""
        return self._card

    def read_card(self, action_id: str | None = None) -> Future[Card]:
        """Read the card in the field again (e.g. to confirm it before a submission)."""
        return self._submit(self._read_again, action_id)

    def sam_id(self, action_id: str | None = None) -> Future[str]:
        """The SAM module's 16-byte serial, hex."""
        return self._submit(self._sam_id, action_id)

    def photo_bmp(self, card: Card) -> Future[bytes | None]:
        """The card photo as BMP through the configured vendor library, off the caller's
        thread; None when no library is configured or it could not decode."""
        return self._submit(lambda: self.wlt.decode(card.photo_wlt))

    # ---- Device hooks (driver thread) --------------------------------------------------------

    def _open(self) -> None:
        self._serial = serial.Serial(self.port, self.baudrate, timeout=0.05,
                                     write_timeout=self.read_timeout)
        self._decoder.reset()
        # A card already read (halted) before this open does not answer FIND: probe with
        # SELECT once so that a driver (re)started under a lying card still reads it.
        self._probe_select = True

    def _close(self) -> None:
        if self._card is not None:  # the reader is gone: the session must not keep the card
            self._forget_card("reader_closed")
        self._card_misses = self._failed_reads = 0
        self._unreadable = False
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except Exception:
                pass

    def _poll(self) -> DeviceStatus:
        found = self._transact(Command.FIND_CARD)
        if found.sw3 == Status.FOUND:
            self._card_misses = 0
            self._on_card_found()
        elif found.sw3 == Status.NO_CARD:
            self._check_still_there()
        else:
            err = frame.status_error(found.sw3)
            if isinstance(err, ModuleRejectedFrame):
                raise err  # our frame was damaged on the way: a missed poll, debounced
            return DeviceStatus(DeviceState.HARDWARE_ERROR, err.reason, str(err))
        if self._unreadable:
            return DeviceStatus(DeviceState.USER_ERROR, "card_unreadable",
                                str(self.last_error) if self.last_error else None)
        return DeviceStatus(DeviceState.ONLINE)

    # ---- card presence -----------------------------------------------------------------------

    def _on_card_found(self) -> None:
        if self._card is not None:
            # A halted card does not answer FIND: this is a card (re)presented, or a module
            # whose FIND keeps succeeding. The select data tells the same card apart cheaply.
            selected = self._transact(Command.SELECT_CARD)
            if (selected.sw3 == Status.OK and selected.data == self._card_select_data
                    and any(selected.data)):
                return
            # Select data of all zeros (common) cannot tell cards apart. On a module whose FIND
            # keeps succeeding, re-read the same card at most every `reread_interval` so that
            # the line is not kept busy while a swap is still noticed.
            if (self._same_card_rereads >= 2
                    and time.monotonic() - self._last_read_at < self.reread_interval):
                return
        if self._unreadable:
            return
        try:
            card = self._read()
        except (ModuleStatusError, CardFormatError, FrameError, ReplyTimeout) as exc:
            # the module answered FIND just now: a failed read is the card's (or its
            # placement's) problem; it is retried while the card stays
            self._read_failed(exc)
            return
        self._adopt(card)

    def _adopt(self, card: Card) -> None:
        """Make `card` the current one; announce it unless it is the same card read again."""
        previous = self._card
        self._failed_reads = 0
        self._last_read_at = time.monotonic()
        if previous is not None and previous.id_number == card.id_number \
                and previous.kind == card.kind:
            self._same_card_rereads += 1
            self._card = card
            return
        self._same_card_rereads = 0
        if previous is not None:
            self._forget_card("replaced")
        self._card = card
        self._emit(EventKind.CARD_INSERTED, {
            "card": card, "kind": str(card.kind), "read_s": self.last_read_s,
            "expired": card.is_expired(self._today()), "photo_decoder": self.wlt.available})

    def _check_still_there(self) -> None:
        pending = self._failed_reads > 0 or self._unreadable or self._probe_select
        self._probe_select = False
        if self._card is None and not pending:
            return
        selected = self._transact(Command.SELECT_CARD)
        if selected.sw3 == Status.OK:
            self._card_misses = 0
            if self._card is None and not self._unreadable:
                self._on_card_found()  # a failed read is retried while the card stays
            return
        self._card_misses += 1
        if self._card_misses >= self.missed_finds_to_removed:
            self._card_misses = 0
            self._failed_reads = 0
            self._unreadable = False
            if self._card is not None:
                self._forget_card("taken")

    def _forget_card(self, why: str) -> None:
        """Drop the driver's reference. The card object itself belongs to whoever took it from
        CARD_INSERTED (the session), which wipes it when its journey ends."""
        card, self._card = self._card, None
        self._card_select_data = b""
        self._emit(EventKind.CARD_REMOVED, {"reason": why,
                                            "kind": str(card.kind) if card else None})

    def _read_failed(self, exc: IdCardError) -> None:
        self.last_error = exc
        self._failed_reads += 1
        log.warning("%s: card read failed (%d/%d): %s: %s", self.name, self._failed_reads,
                    self.read_attempts, exc.reason, exc)
        if self._failed_reads >= self.read_attempts:
            self._unreadable = True

    def _read(self) -> Card:
        started = time.perf_counter()
        selected = self._transact(Command.SELECT_CARD).raise_for_status()
        reply = self._transact(Command.READ_BASE).raise_for_status()
        card = parse_base_info(reply.data, today=self._today())
        if len(card.photo_wlt) != PHOTO_LEN:
            log.info("%s: card carries no photo", self.name)
        self._card_select_data = selected.data
        self.last_read_s = time.perf_counter() - started
        return card

    def _read_again(self) -> Card:
        self._require_usable()
        card = self._read()
        self._adopt(card)
        return card

    def _do_reset(self) -> None:
        """XFS Reset: reopen the port, then reset the SAM (10 FF) so a wedged module restarts."""
        super()._do_reset()
        self._transact(Command.RESET_SAM).raise_for_status()
        self._probe_select = True  # whatever lies on the reader is read afresh

    def _sam_id(self) -> str:
        self._require_usable()
        return self._transact(Command.SAM_ID).raise_for_status().data.hex()

    # ---- the line ----------------------------------------------------------------------------

    def _transact(self, command: Command, timeout: float | None = None) -> Reply:
        """Send `command`, return its reply; raise ReplyTimeout, FrameError or serial errors."""
        ser = self._serial
        if ser is None:
            raise serial.SerialException("port is not open")
        if timeout is None:
            wire = _REPLY_BYTES.get(command, 7 + 3 + 16 + 1) * 10 / self.baudrate
            timeout = self.read_timeout + wire
        ser.reset_input_buffer()
        self._decoder.reset()
        ser.write(frame.build_command(command))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._probe_select = True
                raise ReplyTimeout(f"no answer to {command.name} within {timeout:.2f} s")
            ser.timeout = min(left, 0.05)
            chunk = ser.read(max(1, ser.in_waiting))
            if not chunk:
                continue
            for item in self._decoder.feed(chunk):
                if isinstance(item, FrameError):
                    raise item
                reply = frame.parse_reply_body(item)
                if _plausible(command, reply):
                    return reply
                self.stale_replies += 1
                self._probe_select = True
