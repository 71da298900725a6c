"""The console's settings: when a terminal counts as offline, how long history is kept, how
staff sessions expire and how logins are throttled. Read from an optional TOML file's
`[console]` table; every key has a default."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ConsoleConfig:
    heartbeat_interval_s: int = 60  # as the terminals send them ([health] heartbeat_s)
    offline_after_missed: int = 3  # offline once this many heartbeats in a row did not come
    history_days: int = 7  # heartbeat history kept; older rows are pruned on ingest
    history_every_s: int = 900  # a heartbeat like the last kept one is kept after this long
    idle_timeout_s: int = 15 * 60  # a staff session idle this long must log in again
    session_max_s: int = 10 * 3600  # and none lasts longer than a shift
    max_login_failures: int = 5  # per name within the window (20 per address)
    login_window_s: int = 15 * 60
    help_poll_s: int = 4  # how often the help queue asks for news
    board_refresh_s: int = 15
    board_page_size: int = 200  # rows a board page shows (red first, so problems lead)
    secure_cookies: bool = False  # True behind HTTPS (the console's cookies then never leave it)

    @property
    def offline_after_s(self) -> int:
        return self.heartbeat_interval_s * self.offline_after_missed

    @classmethod
    def load(cls, path: str | Path | None) -> "ConsoleConfig":
        if path is None:
            return cls()
        table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("console", {})
        known = {f.name: f.type for f in dataclasses.fields(cls)}
        unknown = set(table) - set(known)
        if unknown:
            raise ValueError(f"unknown [console] keys: {', '.join(sorted(unknown))}")
        return cls(**table)
