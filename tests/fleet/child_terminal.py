"""A kiosk process without Kivy, doing around the fleet what `python -m screens` does:
`python -m tests.fleet.child_terminal SITE LIVES_FILE` counts its start into an open trial,
loads the configuration, runs a Terminal and its FleetService, appends one JSON line per life
to LIVES_FILE, and exits with RESTART_EXIT_CODE when the service asks for a restart (0 on
SIGTERM)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

from kiosk.config import load_config
from kiosk.fleet.service import RESTART_EXIT_CODE, FleetService, prepare_boot
from kiosk.fleet.updater import FleetSettings
from kiosk.terminal import Terminal


def main() -> int:
    site, lives = sys.argv[1], Path(sys.argv[2])
    rolled_back = prepare_boot(site)
    config = load_config(site)
    terminal = Terminal(config)
    stop = threading.Event()
    code = [0]

    def restart() -> None:
        code[0] = RESTART_EXIT_CODE
        stop.set()

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    service = FleetService(config, terminal.sessions, terminal.devices, site=site,
                           restart=restart, health_timeout_s=5.0,
                           settings=FleetSettings.from_config(config, poll_interval_s=0.3,
                                                              jitter_s=0.0))
    terminal.start()
    service.start()
    with lives.open("a") as out:
        out.write(json.dumps({"pid": os.getpid(), "rolled_back_at_boot": rolled_back,
                              "idle_timeout_s": config.session.idle_timeout_s}) + "\n")
    stop.wait()
    service.stop()
    terminal.stop()
    return code[0]


if __name__ == "__main__":
    sys.exit(main())
