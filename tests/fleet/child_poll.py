"""One poll in a process of its own, for the power-cut drills: `python -m tests.fleet.child_poll
SETTINGS.json` prints the outcome (or dies by SIGKILL at the crash point $KIOSK_CRASH_AT names)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.fleet.updater import FleetSettings, FleetUpdater, base_layers


def main() -> None:
    raw = json.loads(Path(sys.argv[1]).read_text())
    site = raw.pop("site")
    raw["trusted_root_file"] = Path(raw["trusted_root_file"])
    raw["data_dir"] = Path(raw["data_dir"])
    updater = FleetUpdater(FleetSettings(**raw), layers=lambda: base_layers(site))
    result = updater.poll_once()
    print(json.dumps({"outcome": str(result.outcome), "version": result.version,
                      "reason": result.reason}))


if __name__ == "__main__":
    main()
