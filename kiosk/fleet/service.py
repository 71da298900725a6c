"""Fleet updates as the running terminal sees them: it reads, never writes, the fleet directory.

The updater is another process under another user (kiosk/fleet/daemon.py, `kiosk fleet run`),
so that an escaped UI cannot rewrite the configuration it will run next. This side:
1. reports to the updater what it sees (kiosk/fleet/ui_report.py): its layer, the devices
   that work, and - when it started into a layer on trial - whether devices and screens came
   back within `[fleet] health_timeout_s` (every device that worked before works again, none in
   hardware_error, and with a UI, `confirm_healthy()` after the first frame);
2. watches the updater's records: when the layer in force changes (a new one applied, or one
   taken back), it asks for a restart between sessions - every part reads its configuration
   once, at start (device drivers, the platform client, Kivy's window and fonts), and some
   cannot be rebuilt inside one process at all (pcsc-lite's socket, libsane's config dir).
systemd (`Restart=always`) or `kiosk.fleet.supervise` in the demo starts the app again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from drivers.device import Device, DeviceState
from kiosk.config.schema import KioskConfig
from kiosk.fleet import trial as trials
from kiosk.fleet import ui_report
from kiosk.fleet.supervise import RESTART_EXIT_CODE
from kiosk.fleet.records import heartbeat_versions
from kiosk.session import SessionEvent, SessionManager

log = logging.getLogger(__name__)

__all__ = ["RESTART_EXIT_CODE", "FleetService", "applied_sha256"]
WORKING = (DeviceState.ONLINE, DeviceState.BUSY, DeviceState.USER_ERROR)  # paper out = alive


def applied_sha256(fleet_dir: Path) -> str | None:
    """The layer the updater has in force, by its file's hash ("" = none), or None while it is
    applying one (or its records cannot be read): nothing to act on yet."""
    try:
        state = json.loads((fleet_dir / "state.json").read_bytes())
    except FileNotFoundError:
        return ""
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("pending"):
        return None
    applied = state.get("applied")
    return str(applied.get("file_sha256", "")) if isinstance(applied, dict) else ""


class FleetService:
    """`layer_sha256`: the applied layer this process loaded (`LoadedConfig.fleet_sha256`);
    `layer_refused`: the loader found one and would not use it (then only a change of the
    updater's records is a reason to restart, not the refused file itself). `restart()` must end
    the process so that it starts again (called only between sessions)."""

    def __init__(self, config: KioskConfig, sessions: SessionManager,
                 devices: Sequence[Device] = (), *, layer_sha256: str = "",
                 layer_refused: bool = False, restart: Callable[[], None] | None = None,
                 health_timeout_s: float | None = None, watch_interval_s: float = 1.0) -> None:
        self.fleet_dir = Path(config.fleet_dir)
        self.run_dir = Path(config.terminal.run_dir)
        self.sessions = sessions
        self.devices = list(devices)
        self.layer_sha256 = layer_sha256
        self.restart = restart
        self.health_timeout_s = (config.fleet.health_timeout_s if health_timeout_s is None
                                 else health_timeout_s)
        self.watch_interval_s = watch_interval_s
        self.expect_ui = False
        # what the updater had in force when this process loaded its configuration
        self.loaded_record = (applied_sha256(self.fleet_dir) or "") if layer_refused \
            else layer_sha256
        self._report = ui_report.read(self.run_dir) or ui_report.UiReport(layer_sha256)
        self._ui_up = threading.Event()
        self._stop = threading.Event()
        self._restart_wanted = False
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @classmethod
    def for_terminal(cls, config: KioskConfig, sessions: SessionManager,
                     devices: Sequence[Device], layer_sha256: str = "",
                     layer_refused: bool = False) -> "FleetService | None":
        return cls(config, sessions, devices, layer_sha256=layer_sha256,
                   layer_refused=layer_refused) if config.fleet.enabled else None

    # -- what the app and the heartbeat use
    def attach_ui(self, restart: Callable[[], None]) -> None:
        """The app: how to restart it, and that the health check waits for its first frame."""
        self.restart = restart
        self.expect_ui = True

    def confirm_healthy(self) -> None:
        """The app drew its first frame: the screens came back."""
        self._ui_up.set()

    def version(self) -> int:
        """The fleet configuration version in force (0 = none), as the heartbeat reports it."""
        return int(heartbeat_versions(self.fleet_dir).get("config", 0))

    # -- life cycle
    def start(self) -> None:
        self._unsubscribe = self.sessions.subscribe(self._on_session)
        self._thread = threading.Thread(target=self._run, name="fleet-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=15)
        self._thread = None

    def _run(self) -> None:
        self._judge_health()
        while not self._stop.wait(self.watch_interval_s):
            self._publish(working=self._working())
            if not self._restart_wanted and self._layer_changed():
                log.info("fleet: the configuration in force changed; restarting between "
                         "sessions to take it")
                self._restart_wanted = True
                if self.sessions.current is None:
                    self._restart_now()

    def _layer_changed(self) -> bool:
        now = applied_sha256(self.fleet_dir)
        return now is not None and now != self.loaded_record

    # -- health after a start into a layer on trial
    def _judge_health(self) -> None:
        trial = trials.load_readonly(self.fleet_dir)
        before = trial.working_before if trial is not None \
            and trial.file_sha256 == self.layer_sha256 else []
        deadline = time.monotonic() + self.health_timeout_s
        problem = self._problem(before)
        while problem is not None and time.monotonic() < deadline:
            if self._stop.wait(0.2):
                return  # stopped before judging: the next start judges again
            problem = self._problem(before)
        if problem is None:
            self._publish(healthy=True, boots=0, problem="", working=self._working())
        else:
            log.warning("fleet: not healthy with this configuration: %s", problem)
            self._publish(healthy=False, problem=problem, working=self._working())

    def _working(self) -> list[str]:
        return sorted(d.name for d in self.devices if d.status.state in WORKING)

    def _problem(self, working_before: Sequence[str]) -> str | None:
        """Why the terminal is not (yet) healthy, or None."""
        for device in self.devices:
            state = device.status.state
            if state == DeviceState.HARDWARE_ERROR:
                return f"{device.name} is {state}"
            if device.name in working_before and state not in WORKING:
                return f"{device.name} worked before and is {state} now"
        if self.expect_ui and not self._ui_up.is_set():
            return "the screens did not come up"
        return None

    def _publish(self, **changes: object) -> None:
        report = self._report
        updated = ui_report.UiReport(**{**report.__dict__, **changes,
                                        "layer_sha256": self.layer_sha256})
        if updated == report and self.run_dir.joinpath(ui_report.REPORT_FILE).exists():
            return
        self._report = updated
        try:
            ui_report.write(self.run_dir, updated)
        except OSError as exc:
            log.warning("fleet: cannot write the UI report: %s", exc.strerror or exc)

    # -- restarting between sessions
    def _on_session(self, event: SessionEvent) -> None:
        if event.kind == "ended" and self.sessions.current is None:
            self._restart_now()

    def _restart_now(self) -> None:
        if self.restart is not None and self._restart_wanted:
            log.info("fleet: restarting between sessions to take the new configuration")
            self.restart()
