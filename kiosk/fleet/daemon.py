"""`kiosk fleet run`: the fleet updater as its own process and user (kiosk-fleet.service).

Why apart from the UI: the UI is the process a stranger at the screen can reach. If it wrote
the fleet directory, an escaped UI could change the configuration it runs next (its platform,
its trust anchors) for good. Here the UI user can read the applied layer through the group and
cannot write it, and the loader uses it only if it is byte for byte the file this process
recorded (kiosk/config/loader.py).

One loop: while a layer is on trial, judge it from the UI's report every `tick_s` (no polls
meanwhile); otherwise poll the repository every `poll_interval_s` + jitter. A layer is applied
whether or not a citizen is at the screen - the UI takes it by restarting between sessions - and
is kept only once the UI reports it came up healthy with it (kiosk/fleet/trial.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.config.loader import load_layers
from kiosk.config.schema import KioskConfig
from kiosk.events import emit
from kiosk.fleet import trial as trials
from kiosk.fleet import ui_report
from kiosk.fleet.updater import FleetSettings, FleetUpdater, Outcome, PollResult, base_layers

log = logging.getLogger(__name__)


class FleetDaemon:
    def __init__(self, settings: FleetSettings, *, site: str | Path | None, run_dir: Path,
                 on_result: Callable[[PollResult], None] = lambda result: None) -> None:
        self.settings = settings
        self.site = site
        self.run_dir = run_dir
        self.on_result = on_result
        self.updater = FleetUpdater(settings, layers=lambda: base_layers(site),
                                    health_check=self._open_trial)

    @classmethod
    def for_config(cls, config: KioskConfig, site: str | Path | None,
                   **overrides: object) -> "FleetDaemon":
        """Raises OSError when the trusted root cannot be read or the directory made."""
        return cls(FleetSettings.from_config(config, **overrides), site=site,
                   run_dir=Path(config.terminal.run_dir))

    def _open_trial(self, config: KioskConfig) -> bool:
        """Right after the new layer was written: it must load as the UI will read it; the
        real check is the UI's, after its restart."""
        load_layers(self.site)
        pending = self.updater.state().get("pending")
        if not pending:
            return False
        report = ui_report.read(self.run_dir)
        trials.begin(self.settings.fleet_dir, pending, report.working if report else [])
        return True

    def judge(self, trial: trials.Trial) -> PollResult | None:
        """The trial's verdict from the UI's report, or None while the UI has not yet started
        with the layer (it restarts only between citizens) or is still checking."""
        report = ui_report.read(self.run_dir)
        if report is None or not trial.file_sha256 or report.layer_sha256 != trial.file_sha256:
            return None
        fleet_dir = self.settings.fleet_dir
        if report.healthy:
            trials.confirm(fleet_dir)
            emit("config_applied", layer="fleet", version=trial.version)
            return PollResult(Outcome.APPLIED, "healthy after the restart", trial.version)
        if report.problem:
            reason = (f"version {trial.version}: health check failed after the restart: "
                      f"{report.problem[:200]}")
        elif report.boots > trials.MAX_TRIAL_BOOTS:
            reason = (f"version {trial.version}: the terminal started {report.boots} times "
                      "without coming up healthy")
        else:
            return None
        trials.roll_back(fleet_dir, trial, reason)
        return PollResult(Outcome.ROLLED_BACK, reason, self.updater.applied_version())

    def step(self) -> PollResult | None:
        """Judge the open trial, if any; else poll once."""
        trial = trials.load(self.settings.fleet_dir)
        return self.judge(trial) if trial is not None else self.updater.poll_once()

    def run(self, stop: threading.Event, *, tick_s: float = 0.5) -> None:
        next_poll = time.monotonic() + self.updater.next_delay()
        while not stop.wait(tick_s):
            trial = trials.load(self.settings.fleet_dir)
            try:
                if trial is not None:
                    result = self.judge(trial)
                elif time.monotonic() >= next_poll:
                    result = self.updater.poll_once()
                    next_poll = time.monotonic() + self.updater.next_delay()
                else:
                    continue
            except Exception:  # the loop outlives any one poll
                log.exception("fleet poll failed")
                next_poll = time.monotonic() + self.updater.next_delay()
                continue
            if result is not None:
                self._report(result)

    def _report(self, result: PollResult) -> None:
        if result.outcome != Outcome.UNCHANGED:
            log.info("fleet: %s (version %s)%s", result.outcome, result.version,
                     f": {result.reason}" if result.reason else "")
        try:
            self.on_result(result)
        except Exception:
            log.exception("fleet: on_result failed")
