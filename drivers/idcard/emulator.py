"""A GA/T 467 ID card module on a pseudo-terminal, paced at its baud rate, steerable.

It answers the terminal commands with the same frame codec and card layouts the driver uses
to decode (one description, two directions). Card behaviour follows real modules: a placed card
answers FIND once; once selected it no longer answers FIND (it is halted in the field) but
still answers SELECT, until it is taken away. Set `halt_after_read=False` for modules whose FIND
keeps succeeding while the card stays, and `serial_in_select=False` for modules whose SELECT
answers eight zero bytes instead of a card serial (both seen in vendor traces).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.emulation.base import Emulator
from drivers.emulation.pty_link import PtyLink
from drivers.idcard import frame
from drivers.idcard.card import build_base_info, encode_description
from drivers.idcard.errors import ChecksumError, FrameError
from drivers.idcard.frame import Command, Status

log = logging.getLogger(__name__)

CARDS_DIR = Path(__file__).resolve().parents[2] / "assets" / "cards"
SAM_ID = bytes.fromhex("0500010000000000c0d0e0f001020304")  # fictional


def load_description(path: str | Path) -> dict[str, Any]:
    """A card description from a JSON file; a bare name means assets/cards/<name>.json."""
    p = Path(path)
    if not p.suffix:
        p = CARDS_DIR / f"{p.name}.json"
    if p.suffix != ".json":
        raise ValueError("a card description is a .json file or the name of one in assets/cards")
    data = json.loads(p.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{p} does not hold a JSON object")
    return data


class IdCardEmulator(Emulator):
    def __init__(self, run_dir: Path, baudrate: int | None = 115200, *, name: str = "idcard",
                 halt_after_read: bool = True, serial_in_select: bool = True):
        self.name = name
        self.run_dir = Path(run_dir)
        self.link = PtyLink(self.run_dir / f"{name}.tty", baudrate=baudrate)
        self.halt_after_read = halt_after_read
        self.serial_in_select = serial_in_select  # False: SELECT answers 8 zero bytes
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._decoder = frame.FrameDecoder()
        # card in the field: text block, photo, select data; state idle|found|selected
        self._card: tuple[bytes, bytes, bytes] | None = None
        self._card_state = "idle"
        self._corrupt_left: int | None = 0  # None = every reply, n = the next n replies
        self._corrupt_command: str | None = None  # only replies to this command
        self._delay_s = 0.0
        self._silent = False
        self._late: tuple[str, bytes] | None = None  # (command, a reply sent before its own)
        self.placed_at: float | None = None  # perf_counter() of the last place_card
        self.commands_seen: dict[str, int] = {}

    # ---- Emulator interface --------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self.link.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"emu-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
        self.link.close()

    def endpoints(self) -> dict[str, Any]:
        return {"port": str(self.link.link_path), "pty": self.link.slave_name,
                "baudrate": self.link.baudrate}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"place_card": self.place_card, "remove_card": self.remove_card,
                "corrupt_checksum": self.corrupt_checksum, "slow": self.slow,
                "silent": self.silent, "unplug": self.unplug, "replug": self.replug,
                "send_garbage": self.send_garbage, "late_answer": self.late_answer}

    # ---- steering ------------------------------------------------------------------------

    def place_card(self, path: str | None = None, card: dict[str, Any] | None = None) -> str:
        """Put a card on the reader, from a JSON file (or name in assets/cards) or a dict."""
        if (path is None) == (card is None):
            raise ValueError("give exactly one of path= or card=")
        description = load_description(path) if path is not None else dict(card or {})
        text, photo = encode_description(description)
        select_data = hashlib.sha256(text).digest()[:8]  # stands in for the card serial
        with self._lock:
            self._card = (text, photo, select_data)
            self._card_state = "idle"
            self.placed_at = time.perf_counter()
        return str(description.get("type"))

    def remove_card(self, settle_polls: int = 0, timeout_s: float = 5.0) -> bool:
        """Take the card away. With `settle_polls`, return only once the reader has looked
        for a card that many times since: a card placed again sooner is, to a reader that
        never saw the field empty, the same card still lying there (no new insertion)."""
        if not 0 <= settle_polls <= 20 or not 0 <= timeout_s <= 30:
            raise ValueError("settle_polls must be within 0..20, timeout_s within 0..30")
        with self._lock:
            had = self._card is not None
            self._card = None
            self._card_state = "idle"
            finds_at = self.commands_seen.get("FIND_CARD", 0)
        deadline = time.monotonic() + timeout_s
        while had and settle_polls and time.monotonic() < deadline:
            with self._lock:
                if self.commands_seen.get("FIND_CARD", 0) - finds_at >= settle_polls:
                    break
            time.sleep(0.02)
        return had

    def corrupt_checksum(self, enabled: bool = True, count: int | None = None,
                         command: str | None = None) -> None:
        """Corrupt the checksum of every reply (or of the next `count` replies), optionally
        only replies to `command` (a Command name such as "READ_BASE")."""
        if count is not None and not (isinstance(count, int) and count >= 0):
            raise ValueError("count must be a non-negative integer")
        if command is not None and command not in Command.__members__:
            raise ValueError(f"command must be one of {sorted(Command.__members__)}")
        with self._lock:
            self._corrupt_left = count if enabled else 0
            self._corrupt_command = command

    def slow(self, delay_s: float = 0.0) -> None:
        """Wait `delay_s` before each reply."""
        if not 0 <= delay_s <= 30:
            raise ValueError("delay_s must be within 0..30")
        self._delay_s = float(delay_s)

    def late_answer(self, before: str, status: str = "NO_CARD") -> None:
        """Send a bare reply of `status` just ahead of the next reply to `before` (Command
        names): an answer to an earlier command that arrives late, in the window of the next,
        as a busy module's or a restarted driver's line brings one."""
        if before not in Command.__members__ or status not in Status.__members__:
            raise ValueError(f"before must be one of {sorted(Command.__members__)}, "
                             f"status one of {sorted(Status.__members__)}")
        with self._lock:
            self._late = (before, frame.build_reply(Status[status]))

    def silent(self, enabled: bool = True) -> None:
        """Read commands and answer nothing (a hung module)."""
        self._silent = bool(enabled)

    def unplug(self) -> None:
        self.link.close()

    def replug(self) -> str | None:
        """A new pty behind the same symlink, like a USB-serial adapter plugged in again. The
        module restarts with power: a card lying on it is found afresh."""
        self.link.close()
        self._decoder.reset()
        with self._lock:
            self._card_state = "idle"
        self.link.open()
        return self.link.slave_name

    def send_garbage(self, nbytes: int = 64, with_preamble: bool = True) -> None:
        """Unsolicited noise on the line (optionally with a false preamble in it)."""
        if not 0 <= nbytes <= 65536:
            raise ValueError("nbytes must be within 0..65536")
        noise = hashlib.sha256(str(time.time()).encode()).digest() * (nbytes // 32 + 1)
        data = noise[:nbytes]
        if with_preamble:
            data = data[: nbytes // 2] + frame.PREAMBLE + b"\xff\xff" + data[nbytes // 2:]
        self.link.write(data)

    # ---- protocol ------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.link.read(0.05)
                if not data:
                    continue
                for item in self._decoder.feed(data):
                    if self._silent:
                        continue
                    if isinstance(item, ChecksumError):
                        self._reply(frame.build_reply(Status.BAD_CHECKSUM), None)
                    elif isinstance(item, FrameError):
                        self._reply(frame.build_reply(Status.BAD_LENGTH), None)
                    else:
                        self._reply(self._answer(item), _command_name(item))
            except Exception:  # the emulator thread must survive anything the line brings
                log.exception("%s emulator error", self.name)
                time.sleep(0.05)

    def _reply(self, data: bytes, command: str | None) -> None:
        if self._delay_s:
            time.sleep(self._delay_s)
        with self._lock:
            left = self._corrupt_left
            corrupt = (left is None or left > 0) and self._corrupt_command in (None, command)
            if corrupt and left:
                self._corrupt_left = left - 1
            late = None
            if self._late is not None and self._late[0] == command:
                late, self._late = self._late[1], None
        if corrupt:
            data = data[:-1] + bytes([data[-1] ^ 0x5A])
        self.link.write((late or b"") + data)

    def _answer(self, body: bytes) -> bytes:
        try:
            cmd = frame.parse_command_body(body)
        except FrameError:
            return frame.build_reply(Status.BAD_LENGTH)
        command = cmd.command
        key = _command_name(body)
        with self._lock:
            self.commands_seen[key] = self.commands_seen.get(key, 0) + 1
            card, state = self._card, self._card_state
            if command is Command.RESET_SAM:
                self._card_state = "idle"
                return frame.build_reply(Status.OK)
            if command is Command.SAM_STATUS:
                return frame.build_reply(Status.OK)
            if command is Command.SAM_ID:
                return frame.build_reply(Status.OK, SAM_ID)
            if command is Command.FIND_CARD:
                if card is None or (state == "selected" and self.halt_after_read):
                    return frame.build_reply(Status.NO_CARD)
                if state == "idle":
                    self._card_state = "found"
                return frame.build_reply(Status.FOUND, bytes(4))
            if command is Command.SELECT_CARD:
                if card is None:
                    return frame.build_reply(Status.SELECT_FAILED)
                self._card_state = "selected"
                return frame.build_reply(Status.OK, card[2] if self.serial_in_select
                                         else bytes(8))
            if command in (Command.READ_BASE, Command.READ_BASE_FP):
                if card is None or state != "selected":
                    return frame.build_reply(Status.READ_FAILED)
                data = build_base_info(card[0], card[1])
                if command is Command.READ_BASE_FP:  # no fingerprint on this card
                    data = data[:4] + b"\x00\x00" + data[4:]
                return frame.build_reply(Status.OK, data)
            if command is Command.READ_NEW_ADDRESS:
                if card is None or state != "selected":
                    return frame.build_reply(Status.READ_FAILED)
                return frame.build_reply(Status.NO_CONTENT)
        return frame.build_reply(Status.BAD_COMMAND)


def _command_name(body: bytes) -> str:
    try:
        return Command((body[0], body[1])).name
    except (ValueError, IndexError):
        return body[:2].hex().upper()
