"""How much of the receipt roll is used: the counter behind the paper-low warning.

The printers' near-end sensor is the hardware's word, but many kiosk printers lack one or
place it so late that a receipt is cut short. So the terminal also counts what it printed since
staff last put in a new roll (jobs and bytes, from the printer's job-done events) and warns at
`low_at` of the roll's expected capacity. "Paper replaced" on the admin screen resets it.
Kept in a small JSON file in the data directory so a restart does not forget the roll.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from drivers.device import DeviceEvent, EventKind

STATE_NAME = "paper-counter.json"
A4_STATE_NAME = "a4-paper-counter.json"  # the page printer's tray, counted in sheets


@dataclass(frozen=True, slots=True)
class PaperUse:
    jobs: int
    bytes: int
    since: float | None  # when the roll was put in (None: never recorded)
    roll_jobs: int  # receipts a roll is expected to hold
    low: bool  # at or past the warning threshold

    @property
    def fraction(self) -> float:
        return min(1.0, self.jobs / self.roll_jobs) if self.roll_jobs else 0.0


class PaperCounter:
    def __init__(self, path: str | Path, *, roll_jobs: int = 400, low_at: float = 0.9,
                 clock: Callable[[], float] = time.time) -> None:
        if roll_jobs < 1 or not 0 < low_at <= 1:
            raise ValueError("roll_jobs >= 1 and 0 < low_at <= 1")
        self.path = Path(path)
        self.roll_jobs, self.low_at = roll_jobs, low_at
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs, self._bytes, self._since = self._load()

    def _load(self) -> tuple[int, int, float | None]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return int(data["jobs"]), int(data["bytes"]), data.get("since")
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0, None

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"jobs": self._jobs, "bytes": self._bytes,
                                   "since": self._since}), encoding="utf-8")
        os.replace(tmp, self.path)

    def use(self) -> PaperUse:
        with self._lock:
            return PaperUse(self._jobs, self._bytes, self._since, self.roll_jobs,
                            self._jobs >= self.roll_jobs * self.low_at)

    def count(self, nbytes: int, jobs: int = 1) -> PaperUse:
        """`jobs`: receipts on a roll, or sheets from an A4 tray (a job's pages)."""
        with self._lock:
            self._jobs += max(0, int(jobs))
            self._bytes += max(0, int(nbytes))
            self._save()
        return self.use()

    def replaced(self) -> PaperUse:
        """A new roll is in: start counting from zero."""
        with self._lock:
            self._jobs, self._bytes, self._since = 0, 0, self._clock()
            self._save()
        return self.use()

    def on_printer_event(self, event: DeviceEvent) -> None:
        """Subscribe this to a printer: every confirmed job counts."""
        if event.kind == EventKind.JOB_DONE:
            self.count(int(event.data.get("bytes", 0) or 0))

    def as_dict(self) -> dict:
        use = self.use()
        return asdict(use) | {"fraction": round(use.fraction, 3)}
