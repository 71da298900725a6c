"""A catalogued event as the contract's postEvents item: what leaves the terminal for the
platform and the operations console (its usage reports read these).

`kind` is the event id, `severity` its level (debug counts as info), `detail` the declared
fields, masked as in the log, plus `disposition` for an event that closes an action. The same
checks as `emit`: an undeclared id or field, or a missing disposition, is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kiosk.events.emit import declared
from kiosk.logs import mask_text


def as_posted(event_id: str, at: dt.datetime, disposition: str | None = None,
              **fields: Any) -> dict[str, Any]:
    spec = declared(event_id, disposition, fields)
    detail: dict[str, Any] = {k: v if isinstance(v, int) and not isinstance(v, bool)
                              else mask_text(str(v))
                              for k, v in fields.items() if v is not None}
    if disposition is not None:
        detail["disposition"] = disposition
    return {"event_id": str(uuid.uuid4()), "at": at.astimezone(dt.UTC).isoformat(),
            "kind": event_id, "severity": "info" if spec.level == "debug" else spec.level,
            "detail": detail}
