"""Which terminal runs which configuration version, from the platform's latest heartbeats."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any


def by_version(heartbeats: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Config version ("none" before the first update) -> the kiosk ids reporting it."""
    groups: dict[str, list[str]] = defaultdict(list)
    for beat in heartbeats:
        version = (beat.get("versions") or {}).get("config") or "none"
        groups[version].append(str(beat["kiosk_id"]))
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == "none", _num(kv[0]))))


def _num(text: str) -> int:
    return int(text) if text.isdigit() else 0


def stale(heartbeats: Iterable[Mapping[str, Any]], now: dt.datetime,
          older_than: dt.timedelta) -> list[str]:
    """Terminals whose last heartbeat is older than `older_than`: their version may be old."""
    out = []
    for beat in heartbeats:
        try:
            at = dt.datetime.fromisoformat(str(beat["received_at"]))
        except ValueError:
            out.append(str(beat["kiosk_id"]))
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.timezone.utc)
        if now - at > older_than:
            out.append(str(beat["kiosk_id"]))
    return out
