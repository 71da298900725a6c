"""The daily fresh start: once a day, at a quiet hour, the app restarts between sessions.

A long-running Kivy process slowly grows (fragmented heap, caches of fonts and textures); a new
process a day gives the memory back. This lives in the app rather than in a systemd timer
because a timer's `systemctl restart` would cut off a citizen at the screen of a 24-hour hall at
03:30, and only the app knows when nobody is there: it asks for the restart and takes it once the
session (or a staff member's visit) is over, like a fleet update.

The moment is `[terminal] daily_restart_at` (local time) plus a per-terminal offset within
`daily_restart_spread_s`, derived from the terminal id: the same every day for one terminal,
spread over the fleet so that hundreds of terminals do not reconnect to the platform at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config.schema import TerminalConfig


def parse_time_of_day(text: str) -> dt.time | None:
    """"HH:MM" or "HH:MM:SS" (the schema checked the shape); "" = never."""
    return dt.time.fromisoformat(text) if text else None


def spread_offset(terminal_id: str, spread_s: float) -> dt.timedelta:
    """This terminal's fixed place within the fleet's restart window."""
    if spread_s <= 0:
        return dt.timedelta(0)
    digest = int.from_bytes(hashlib.sha256(terminal_id.encode()).digest()[:8], "big")
    return dt.timedelta(seconds=digest % (int(spread_s) + 1))


class DailyRestart:
    """Says when the day's restart is due; the first one comes at the next such moment after
    the process started (a process started at 03:40 waits for tomorrow)."""

    def __init__(self, at: dt.time | None, offset: dt.timedelta = dt.timedelta(0),
                 now: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self.at, self.offset, self._now = at, offset, now
        self.due_at = self._next_after(now())

    @classmethod
    def from_config(cls, terminal: TerminalConfig,
                    now: Callable[[], dt.datetime] = dt.datetime.now) -> DailyRestart:
        return cls(parse_time_of_day(terminal.daily_restart_at),
                   spread_offset(terminal.id, terminal.daily_restart_spread_s), now)

    def _next_after(self, moment: dt.datetime) -> dt.datetime | None:
        if self.at is None:
            return None
        candidate = dt.datetime.combine(moment.date(), self.at) + self.offset
        while candidate <= moment:
            candidate += dt.timedelta(days=1)
        return candidate

    def due(self) -> bool:
        return self.due_at is not None and self._now() >= self.due_at
