"""What this terminal last did with console commands, on disk: the highest sequence number it
decided (a command at or below it is a replay) and the recent outcomes (so that a result the
platform never received is reported again as it was, not as a replay).

Written (fsync + rename) BEFORE a command takes effect: a crash between the two loses at most
that one action, it never repeats one (a restart command must not restart the terminal twice).
The mark belongs to one console key (`key_id`): a site that replaces a stolen key starts
afresh, so sequence numbers a thief spent with the old key do not block the new one.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.fleet.atomic import write_atomic

LEDGER_NAME = "remote-commands.json"
KEPT = 50  # outcomes remembered for reporting again


@dataclass(frozen=True, slots=True)
class Outcome:
    outcome: str  # "executed" or "refused"
    reason: str = ""


class LedgerError(Exception):
    """The ledger cannot be read or written: no command is carried out (better idle than twice)."""


class Ledger:
    def __init__(self, path: str | Path, key_id: str = "") -> None:
        self.path = Path(path)
        self.key_id = key_id
        self._lock = threading.Lock()

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"key": self.key_id, "last_seq": 0, "decided": {}}
        except (OSError, ValueError) as exc:
            raise LedgerError(f"{self.path}: {type(exc).__name__}") from None
        if not isinstance(data, dict) or not isinstance(data.get("last_seq"), int) \
                or not isinstance(data.get("decided"), dict):
            raise LedgerError(f"{self.path}: not a ledger")
        if data.get("key", "") != self.key_id:  # another console key: its marks do not apply
            return {"key": self.key_id, "last_seq": 0, "decided": {}}
        return data

    def last_seq(self) -> int:
        with self._lock:
            return int(self._load()["last_seq"])

    def outcome(self, command_id: str) -> Outcome | None:
        with self._lock:
            item = self._load()["decided"].get(command_id)
        return Outcome(str(item.get("outcome")), str(item.get("reason", ""))) \
            if isinstance(item, dict) else None

    def decide(self, command_id: str, seq: int | None, outcome: Outcome) -> None:
        """Record an outcome; `seq` (of a genuine command) moves the replay mark up."""
        with self._lock:
            data = self._load()
            if seq is not None:
                data["last_seq"] = max(int(data["last_seq"]), seq)
            decided = data["decided"]
            decided.pop(command_id, None)
            decided[command_id] = {"outcome": outcome.outcome, "reason": outcome.reason}
            while len(decided) > KEPT:
                decided.pop(next(iter(decided)))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                write_atomic(self.path, json.dumps(data, sort_keys=True).encode("utf-8"))
            except OSError as exc:
                raise LedgerError(f"{self.path}: {exc.strerror or exc}") from None
