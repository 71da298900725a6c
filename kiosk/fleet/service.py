"""Fleet updates inside the running terminal: poll on a thread, apply between citizens, restart
to take the new layer, and keep it only if the restarted terminal comes back healthy.

Why a restart rather than an in-process reload: every part reads its configuration once, when
it is built (device drivers, the platform client, the outbox, Kivy's window and fonts at first
import), and some cannot be rebuilt inside one process at all (pcsc-lite keeps its socket path
for the life of a process, libsane reads SANE_CONFIG_DIR once). The start-up path is the one
path every configuration already goes through and is tested; systemd (`Restart=always`) or
`kiosk.fleet.supervise` in the demo starts the app again in a few seconds, and the restart
happens only while nobody is at the screen.

The sequence:
1. the poll thread runs `FleetUpdater.poll_once` (verify, validate, min app version; deferred
   while a citizen session runs, polled again as soon as it ends);
2. the updater writes `applied.toml` and calls `_pre_restart_check`: the files as the next start
   will read them must load, and a trial is opened (kiosk.fleet.trial);
3. `restart()` is called between sessions (the app exits with RESTART_EXIT_CODE);
4. the new process calls `prepare_boot()` before reading its configuration (a layer that keeps
   killing the app at start-up is taken back there) and, once started, `_judge_trial` waits up
   to `[fleet] health_timeout_s` for: every device that worked before works again, none in
   hardware_error, and - with a UI - `confirm_healthy()` after the first frame;
5. healthy: the trial closes and the layer is kept. Not: the last good layer is put back, the
   failure recorded (`state.json` last_failure, the digest never retried), `on_result` told,
   and the terminal restarts again between sessions with the old layer.
The applied version is in `state.json`, read by `heartbeat_versions` for the heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from drivers.device import Device, DeviceState
from kiosk.config.loader import ConfigError, load_layers, validate_layers
from kiosk.config.schema import KioskConfig
from kiosk.events import emit
from kiosk.fleet import trial as trials
from kiosk.fleet.supervise import RESTART_EXIT_CODE
from kiosk.fleet.updater import FleetSettings, FleetUpdater, Outcome, PollResult, base_layers
from kiosk.session import SessionEvent, SessionManager

log = logging.getLogger(__name__)

__all__ = ["RESTART_EXIT_CODE", "FleetService", "prepare_boot"]
WORKING = (DeviceState.ONLINE, DeviceState.BUSY, DeviceState.USER_ERROR)  # paper out = alive


def prepare_boot(site: str | Path | None) -> str:
    """First thing a kiosk process does, before it reads its configuration: count this start
    into an open trial, and take the layer back if it has had its chances. Returns the reason
    when it did (the process then starts with the last good layer). Never raises: a broken site
    file is for the configuration loader to report."""
    try:
        data_dir = validate_layers(base_layers(site)).terminal.data_dir
    except (ConfigError, OSError) as exc:
        log.warning("fleet: trial not checked, site configuration unreadable (%s)",
                    type(exc).__name__)
        return ""
    _trial, reason = trials.count_boot(Path(data_dir) / "fleet")
    return reason


class FleetService:
    """Owns the fleet updater of one running terminal. `restart()` must end the process so that
    it starts again (called only between sessions; the caller may check once more on its own
    thread). Without a `restart` the new layer takes effect at the next start."""

    def __init__(self, config: KioskConfig, sessions: SessionManager,
                 devices: Sequence[Device] = (), *, site: str | Path | None = None,
                 on_result: Callable[[PollResult], None] = lambda result: None,
                 restart: Callable[[], None] | None = None,
                 health_timeout_s: float | None = None,
                 settings: FleetSettings | None = None) -> None:
        self.config = config
        self.sessions = sessions
        self.devices = list(devices)
        self.site = site
        self.on_result = on_result
        self.restart = restart
        self.health_timeout_s = (config.fleet.health_timeout_s if health_timeout_s is None
                                 else health_timeout_s)
        self.settings = settings or FleetSettings.from_config(config)
        self.updater = FleetUpdater(self.settings, layers=lambda: base_layers(site),
                                    session_active=self._session_active,
                                    health_check=self._pre_restart_check)
        self.expect_ui = False
        self.last_result: PollResult | None = None
        self._ui_up = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._settled = threading.Event()  # no trial open: polls may go on
        self._restart_wanted = False
        self._threads: list[threading.Thread] = []
        self._unsubscribe: Callable[[], None] | None = None

    @classmethod
    def for_terminal(cls, config: KioskConfig, sessions: SessionManager,
                     devices: Sequence[Device], site: str | Path | None) -> "FleetService | None":
        """The terminal's service, or None when `[fleet]` is off or cannot work (no trusted
        root installed): updates stop, the terminal serves on with what it has."""
        if not config.fleet.enabled:
            return None
        try:
            return cls(config, sessions, devices, site=site)
        except OSError as exc:
            log.error("fleet updates off: %s: %s", type(exc).__name__, exc)
            return None

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
        return self.updater.applied_version()

    # -- life cycle
    def start(self) -> None:
        self._unsubscribe = self.sessions.subscribe(self._on_session)
        trial = trials.load(self.settings.fleet_dir)
        if trial is None:
            self._settled.set()
        else:
            self._spawn(self._judge_trial, "fleet-health", trial)
        self._spawn(self._run, "fleet-poll")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._settled.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=15)
        self._threads.clear()

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # -- polling
    def _session_active(self) -> bool:
        return self.sessions.current is not None

    def _on_session(self, event: SessionEvent) -> None:
        if event.kind != "ended" or self.sessions.current is not None:
            return
        if self._restart_wanted:
            self._restart_now()
        elif self.last_result is not None and self.last_result.outcome == Outcome.DEFERRED:
            self._wake.set()  # the update waited for this citizen: apply it now

    def _run(self) -> None:
        delay = self.updater.next_delay()
        while not self._stop.is_set():
            self._settled.wait()
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            if not self._settled.is_set():
                continue
            try:
                result = self.updater.poll_once()
            except Exception:  # the loop outlives any one poll
                log.exception("fleet poll failed")
                result = None
            if result is not None:
                self._report(result)
                if result.outcome == Outcome.APPLIED:
                    self._settled.clear()  # nothing more until the restart judged this one
                    self._restart_between_sessions()
            delay = self.updater.next_delay()

    def _pre_restart_check(self, config: KioskConfig) -> bool:
        """Runs in the old process right after the new layer was written: the files must load
        as the next start will read them; the real check is after the restart."""
        load_layers(self.site)
        pending = self.updater.state().get("pending")
        if not pending:
            return False
        working = [d.name for d in self.devices if d.status.state in WORKING]
        trials.begin(self.settings.fleet_dir, pending, working)
        return True

    def _restart_between_sessions(self) -> None:
        self._restart_wanted = True
        if self.restart is None:
            log.warning("fleet: configuration written; it takes effect at the next start")
            return
        if self.sessions.current is None:
            self._restart_now()
        # else: _on_session restarts when the citizen's session ends

    def _restart_now(self) -> None:
        if self.restart is not None and self._restart_wanted:
            log.info("fleet: restarting between sessions to take the new configuration")
            self.restart()

    # -- after the restart
    def _judge_trial(self, trial: trials.Trial) -> None:
        deadline = time.monotonic() + self.health_timeout_s
        problem = self._problem(trial)
        while problem is not None and time.monotonic() < deadline:
            if self._stop.wait(0.2):
                return  # stopped before judging: the next start judges again (boots counted)
            problem = self._problem(trial)
        fleet_dir = self.settings.fleet_dir
        if problem is None:
            trials.confirm(fleet_dir)
            emit("config_applied", layer="fleet", version=trial.version)
            self._report(PollResult(Outcome.APPLIED, "healthy after the restart", trial.version))
            self._settled.set()
            return
        reason = f"version {trial.version}: health check failed after the restart: {problem}"
        trials.roll_back(fleet_dir, trial, reason)
        self._report(PollResult(Outcome.ROLLED_BACK, reason, self.version()))
        self._restart_between_sessions()  # the old layer is on disk; run it again
        self._settled.set()

    def _problem(self, trial: trials.Trial) -> str | None:
        """Why the terminal is not (yet) healthy with the new layer, or None."""
        for device in self.devices:
            state = device.status.state
            if state == DeviceState.HARDWARE_ERROR:
                return f"{device.name} is {state}"
            if device.name in trial.working_before and state not in WORKING:
                return f"{device.name} worked before and is {state} now"
        if self.expect_ui and not self._ui_up.is_set():
            return "the screens did not come up"
        return None

    def _report(self, result: PollResult) -> None:
        self.last_result = result
        try:
            self.on_result(result)
        except Exception:
            log.exception("fleet: on_result failed")
