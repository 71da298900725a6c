"""A kiosk process without Kivy, doing around the fleet what `python -m screens` does:
`python -m tests.fleet.child_terminal SITE LIVES_FILE` loads the configuration, counts its start
for the updater, runs a Terminal (whose FleetService watches the updater's records), appends one
JSON line per life to LIVES_FILE, and exits with RESTART_EXIT_CODE when the service asks for a
restart (0 on SIGTERM)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

from kiosk.config import load_layers
from kiosk.fleet.service import RESTART_EXIT_CODE
from kiosk.fleet.ui_report import note_boot
from kiosk.terminal import Terminal


def main() -> int:
    site, lives = sys.argv[1], Path(sys.argv[2])
    loaded = load_layers(site)
    config = loaded.config
    note_boot(config.terminal.run_dir, loaded.fleet_sha256)
    terminal = Terminal(config, loaded)
    stop = threading.Event()
    code = [0]

    def restart() -> None:
        code[0] = RESTART_EXIT_CODE
        stop.set()

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    assert terminal.fleet is not None
    terminal.fleet.restart = restart
    terminal.fleet.health_timeout_s = 5.0
    terminal.start()
    with lives.open("a") as out:
        out.write(json.dumps({"pid": os.getpid(),
                              "idle_timeout_s": config.session.idle_timeout_s}) + "\n")
    stop.wait()
    terminal.stop()
    return code[0]


if __name__ == "__main__":
    sys.exit(main())
