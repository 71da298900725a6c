"""A fleet layer on trial across the UI's restart: kept once the restarted terminal is
healthy, else the last good layer is put back.

The updater (its own process and user, kiosk/fleet/daemon.py) writes `applied.toml` and opens
the trial (`<fleet dir>/trial.json`: the version, the layer it replaced, its file's hash, which
devices worked before). Whether devices and screens come back is known only in the UI's next
process, which reports through kiosk/fleet/ui_report.py: healthy, or why not, or - for a layer
that kills the app at start-up - only how many times it started with it. The updater judges
from that report: `MAX_TRIAL_BOOTS` starts without coming up healthy take the layer back even
though no code of those processes ran long enough to check anything.

The rollback mirrors the updater's own (same files, same `state.json` records): the previous
layer back in `applied.toml`, its record as `applied`, the new digest in `bad` (never tried
again until the manager publishes anew), the reason in `last_failure`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.events import emit
from kiosk.fleet.atomic import remove_durably, write_atomic

log = logging.getLogger(__name__)

TRIAL_FILE = "trial.json"
MAX_TRIAL_BOOTS = 2  # starts without a confirmation before the layer is taken back (a power
#                      cut during the first one must not condemn a good layer)


@dataclass
class Trial:
    version: int
    digest: str
    prev: dict[str, Any] | None  # the updater's record of the layer this one replaced
    working_before: list[str] = field(default_factory=list)  # devices that worked before
    file_sha256: str = ""  # the applied file the UI must report running
    since: str = ""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def load(fleet_dir: Path) -> Trial | None:
    try:
        return Trial(**json.loads((fleet_dir / TRIAL_FILE).read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:  # a damaged file: nothing to judge the layer by
        log.warning("fleet trial file unreadable (%s); dropped", type(exc).__name__)
        remove_durably(fleet_dir / TRIAL_FILE)
        return None


def load_readonly(fleet_dir: Path) -> Trial | None:
    """For the UI, which may not write the fleet directory: a damaged file is no trial."""
    try:
        return Trial(**json.loads((fleet_dir / TRIAL_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def save(fleet_dir: Path, trial: Trial) -> None:
    write_atomic(fleet_dir / TRIAL_FILE, json.dumps(asdict(trial), indent=1).encode())


def begin(fleet_dir: Path, pending: dict[str, Any], working_before: list[str]) -> Trial:
    """From the updater's `pending` record ({"new": ..., "prev": ...}) while it applies."""
    new = pending["new"]
    trial = Trial(int(new["version"]), str(new["digest"]), pending.get("prev"),
                  sorted(working_before), str(new.get("file_sha256", "")), _now())
    save(fleet_dir, trial)
    return trial


def confirm(fleet_dir: Path) -> None:
    remove_durably(fleet_dir / TRIAL_FILE)


def _state(fleet_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((fleet_dir / "state.json").read_text())
    except FileNotFoundError:
        return {"applied": None, "pending": None, "bad": {}, "last_failure": None}


def roll_back(fleet_dir: Path, trial: Trial, reason: str) -> None:
    """Put the layer the trial replaced back in force and record the failure."""
    applied = fleet_dir / "applied.toml"
    if trial.prev is None:
        remove_durably(applied)
    else:
        write_atomic(applied, (fleet_dir / "last_good.toml").read_bytes())
    state = _state(fleet_dir)
    state.update(applied=trial.prev, pending=None)
    state.setdefault("bad", {})[trial.digest] = reason[:200]
    state["last_failure"] = {"at": _now(), "outcome": "rolled_back", "reason": reason[:500],
                             "version": trial.version}
    write_atomic(fleet_dir / "state.json", json.dumps(state, indent=1).encode())
    confirm(fleet_dir)
    emit("config_rolled_back", version=(trial.prev or {}).get("version", 0),
         reason=f"{reason}; the last good configuration is back")
