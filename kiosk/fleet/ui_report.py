"""What the running terminal tells the fleet updater, through one small file in its run
directory (`<terminal.run_dir>/fleet-ui.json`, read by the updater's user through the group).

The updater runs as its own user so that the UI cannot write the configuration it will run
next; it still needs to know what the UI sees: which devices work (a new layer must not lose
one), which layer the UI runs, how often it started with it, and whether it came up healthy.
The UI is not trusted with anything more than this: a lying report can only make the updater
keep or take back a layer that was signed and allow-listed anyway.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.fleet.atomic import write_atomic

log = logging.getLogger(__name__)

REPORT_FILE = "fleet-ui.json"
MAX_REPORT_BYTES = 64_000


@dataclass
class UiReport:
    layer_sha256: str = ""  # the applied layer this process runs ("" = none)
    boots: int = 0  # starts in a row with that layer that have not (yet) come up healthy
    healthy: bool = False  # devices and screens came back with it
    problem: str = ""  # why not, once the UI gave up waiting
    working: list[str] = field(default_factory=list)  # devices working now
    pid: int = 0


def path_in(run_dir: str | Path) -> Path:
    return Path(run_dir) / REPORT_FILE


def read(run_dir: str | Path) -> UiReport | None:
    """The last report, or None when there is none or it is not one."""
    try:
        with path_in(run_dir).open("rb") as fh:
            raw = json.loads(fh.read(MAX_REPORT_BYTES))
        report = UiReport(**raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        log.warning("fleet: UI report unreadable (%s)", type(exc).__name__)
        return None
    if not (isinstance(report.layer_sha256, str) and isinstance(report.boots, int)
            and isinstance(report.working, list)):
        return None
    return report


def write(run_dir: str | Path, report: UiReport) -> None:
    Path(run_dir).mkdir(parents=True, exist_ok=True)
    write_atomic(path_in(run_dir), json.dumps(asdict(report)).encode())


def note_boot(run_dir: str | Path, layer_sha256: str) -> UiReport:
    """First thing a kiosk process does once it knows its layer: count this start, so that a
    layer that kills the app before it can report anything is still taken back."""
    last = read(run_dir)
    boots = last.boots + 1 if last is not None and last.layer_sha256 == layer_sha256 \
        and not last.healthy else 1
    report = UiReport(layer_sha256, boots, False, "", last.working if last else [], os.getpid())
    try:
        write(run_dir, report)
    except OSError as exc:
        log.warning("fleet: cannot write the UI report: %s", exc.strerror or exc)
    return report
