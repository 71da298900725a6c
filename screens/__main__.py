"""`python -m screens [--config SITE] [--size 1920x1080] [--ui-driver PORT]`: the citizen app.

Kivy reads its environment and configuration at first import, so they are prepared here before
anything imports kivy. The configuration is validated after the first frame (`KioskApp`); before
it only the run directory is read from the files, for Kivy's home. A refused configuration
still stops the app with exit code 2 and its problems on stderr. `--ui-driver` opens the
loopback control the UI tests and the demo use to touch the screen; a production terminal runs
without it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.allocator import limit_retained_memory
from kiosk.config import ConfigError, site_run_dir
from kiosk.logs import configure as configure_logging

if TYPE_CHECKING:
    from kiosk.config import LoadedConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m screens")
    parser.add_argument("--config", default=os.environ.get("KIOSK_CONFIG"))
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--ui-driver", type=int, default=None, metavar="PORT")
    args = parser.parse_args(argv)
    limit_retained_memory()  # before any thread allocates
    try:
        run_dir = site_run_dir(args.config)
    except ConfigError as exc:
        return _refused(exc)
    configure_logging(logging.INFO)
    width, height = (int(v) for v in args.size.lower().split("x"))
    kivy_home = run_dir / "kivy"

    from screens import environment

    environment.prepare(kivy_home, width, height)
    from screens.fonts import register_default_font

    # The extracted faces (seconds to make) live in the Kivy home unless KIOSK_FONT_CACHE names
    # a place several run directories share (the UI tests and the demo: kiosk.demo.app_process)
    register_default_font(Path(os.environ.get("KIOSK_FONT_CACHE") or kivy_home / "fonts"))
    from screens.app import KioskApp

    def configure() -> LoadedConfig:
        """On a worker after the first frame: the layers validated against the schema."""
        from kiosk.config import load_layers
        from kiosk.fleet.ui_report import note_boot

        loaded = load_layers(args.config)
        if loaded.config.fleet.enabled:  # a layer that kills the app is counted, and taken back
            note_boot(loaded.config.terminal.run_dir, loaded.fleet_sha256)
        return loaded

    def open_terminal(loaded: LoadedConfig):  # type: ignore[no-untyped-def]
        """On a worker after the first frame: importing the terminal (journeys, the printer
        library, OpenCV, the platform client) took seconds before it."""
        from kiosk.terminal import Terminal

        return Terminal(loaded.config, loaded)

    app = KioskApp(configure, open_terminal)
    _stop_on_sigterm(app)
    if args.ui_driver is not None:
        from screens.uidriver import UiDriver

        UiDriver(app, args.ui_driver).start()
    app.run()
    from kiosk.fleet.supervise import RESTART_EXIT_CODE  # the supervisor's word for "again"

    if isinstance(app.start_failure, ConfigError):
        return _refused(app.start_failure)
    if app.start_failure is not None:  # as it was when the terminal was built before the window
        raise app.start_failure
    return RESTART_EXIT_CODE if app.restart_requested else 0


def _refused(exc: ConfigError) -> int:
    print("error: configuration refused:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
    return 2


def _stop_on_sigterm(app) -> None:  # type: ignore[no-untyped-def]
    """systemd stops the kiosk with SIGTERM: leave the main loop cleanly (sessions end and are
    wiped on the way out) instead of dying mid-frame."""
    from kivy.clock import Clock

    def stop(_signum: int, _frame: object) -> None:
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, stop)


if __name__ == "__main__":
    sys.exit(main())
