"""Citizens' calls for staff as the console answers them: the requests live in the reference
platform's store (the terminal reads their state back over the contract), so the console acts
on them through the platform's own module, never by copying them.

`PlatformHelpDesk` is the in-process desk over the platform's SQLite store; a console without
a platform beside it has no desk (`None`) and shows no queue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kiosk.refplatform import help_requests
from kiosk.refplatform.store import Store

ACTIONS = ("acknowledge", "on_my_way", "resolve")


class PlatformHelpDesk:
    def __init__(self, store: Store | str | Path) -> None:
        self.store = store if isinstance(store, Store) else Store(store)

    def requests(self, kiosk_ids: set[str] | None, *, live_only: bool = True,
                 kiosk_id: str | None = None) -> list[dict[str, Any]]:
        """Oldest first; within `kiosk_ids` (None: every terminal's)."""
        with self.store.read() as conn:
            rows = help_requests.list_requests(conn, None, kiosk_id)
        return [r for r in rows if (kiosk_ids is None or r["kiosk_id"] in kiosk_ids)
                and (not live_only or r["status"] != "closed")]

    def kiosk_of(self, help_request_id: str) -> str | None:
        with self.store.read() as conn:
            row = conn.execute("SELECT kiosk_id FROM help_requests WHERE help_request_id = ?",
                               (help_request_id,)).fetchone()
        return row["kiosk_id"] if row else None

    def act(self, help_request_id: str, action: str, staff: str,
            now: dt.datetime) -> dict[str, Any]:
        """Raises help_requests.HelpRequestError when the step does not apply."""
        step = {"acknowledge": help_requests.acknowledge,
                "on_my_way": help_requests.on_my_way,
                "resolve": help_requests.close}[action]
        with self.store.write() as conn:
            return step(conn, help_request_id, staff, now)
