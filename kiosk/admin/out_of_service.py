"""Out-of-service mode: staff take the terminal off for citizens, with a message and where the
nearest staffed counter is. Persisted in the data directory so a restart (or a power cut)
keeps the terminal closed until staff open it again."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_NAME = "out-of-service.json"
MAX_TEXT = 200
# What citizens read while the terminal cannot keep its audit trail (a catalogue msgid).
NO_TRAIL_MESSAGE = "This terminal is temporarily out of service."


@dataclass(frozen=True, slots=True)
class OutOfService:
    message: str  # for citizens, as staff chose it
    nearest_counter: str  # where to go instead ("" = not said)
    since: float
    staff: str
    reason: str = ""  # for staff, when the terminal took itself out (e.g. no audit trail)


class OutOfServiceStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def get(self) -> OutOfService | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return OutOfService(str(data["message"]), str(data.get("nearest_counter", "")),
                                float(data["since"]), str(data.get("staff", "")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged file errs on the side of closed: staff look at a closed terminal,
            # nobody looks at one that silently reopened.
            return OutOfService("", "", 0.0, "")

    def set(self, state: OutOfService) -> None:
        if not state.message.strip():
            raise ValueError("out of service needs a message for citizens")
        if len(state.message) > MAX_TEXT or len(state.nearest_counter) > MAX_TEXT:
            raise ValueError(f"message and counter: at most {MAX_TEXT} characters")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(asdict(state), out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
