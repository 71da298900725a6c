"""What the fleet updater recorded (`<fleet dir>/state.json`), as the other processes read it:
the heartbeat's versions, the last failure staff see. Kept apart from kiosk/fleet/updater.py so
that the citizen app reads the records without the updater's TUF client (51 modules it never
runs: the updater is another process under another user)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def saved_state(fleet_dir: str | Path) -> dict[str, Any]:
    """The updater's state, or {} when there is none or it cannot be read."""
    try:
        state = json.loads((Path(fleet_dir) / "state.json").read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def heartbeat_versions(fleet_dir: str | Path) -> dict[str, str]:
    """What goes into the heartbeat's `versions`: {"config": "<version>"} once one is applied,
    and "config_rolled_back": the version this terminal last took back (the console halts a
    ring's rollout when too many of its terminals report the version promoted into it)."""
    state = saved_state(fleet_dir)
    applied = state.get("applied")
    out = {"config": str(applied["version"])} if applied else {}
    failure = state.get("last_failure")
    if isinstance(failure, dict) and failure.get("outcome") == "rolled_back" \
            and failure.get("version"):
        out["config_rolled_back"] = str(failure["version"])
    return out


def last_failure(fleet_dir: str | Path) -> dict[str, str] | None:
    """The last update refused or taken back ({"at", "outcome", "reason"}), for staff."""
    failure = saved_state(fleet_dir).get("last_failure")
    return {k: str(failure.get(k, "")) for k in ("at", "outcome", "reason")} \
        if isinstance(failure, dict) else None
