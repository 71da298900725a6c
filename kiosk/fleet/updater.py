"""The terminal's side: poll the fleet repository, verify, validate, apply.

One poll: TUF verifies the repository (signatures, thresholds, expiry, versions, hashes) →
the terminal's layers (all < ring < terminal) are downloaded within `max_bundle_bytes` →
checked against the allow-list (kiosk/config/remote.py), merged and validated with the
terminal's own default and site layers → `min_app_version` checked → `applied.toml` is replaced
atomically and its hash recorded, the health check runs (kiosk/fleet/daemon.py: a trial that the
UI's report decides), and the new layer is kept or the last good one put back.

Anything refused leaves `applied.toml` exactly as it was: the terminal keeps serving with the
configuration it has. Expired metadata (a box offline for weeks) stops updates, not service.

Files in the fleet directory (`[fleet] state_dir`, else `<terminal.data_dir>/fleet/`; 0750,
files 0640: the UI's group reads): `applied.toml` (read by the config loader),
`last_good.toml`, `state.json` (what is applied, what is pending, which bundles failed),
`tuf/` (TUF's trusted metadata) and `targets/` (downloaded bundles).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import random
import threading
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import TargetFile
from tuf.ngclient import Updater, UpdaterConfig

from kiosk.config.loader import (DEFAULT_FILE, ConfigError, Layer, merge, read_layer,
                                 validate_layers)
from kiosk.config.schema import KioskConfig
from kiosk.events import emit
from kiosk.fleet.atomic import remove_durably, remove_leftovers, write_atomic
from kiosk.fleet.fetcher import ConditionalFetcher
from kiosk.config.remote import refusal
from kiosk.fleet.scopes import scopes_for
from kiosk.fleet.versions import app_version, satisfies
from kiosk.private_files import make_private_dirs

log = logging.getLogger(__name__)
MAX_INTERRUPTED = 2  # applies cut short (power loss) before a bundle counts as bad


class Outcome(enum.StrEnum):
    UNCHANGED = "unchanged"
    APPLIED = "applied"
    REFUSED = "refused"
    ROLLED_BACK = "rolled_back"


@dataclass(frozen=True)
class PollResult:
    outcome: Outcome
    reason: str = ""
    version: int = 0  # the fleet configuration version in force after this poll (0 = none)


@dataclass(frozen=True)
class FleetSettings:
    repository_url: str  # the base under which metadata/ and targets/ are served
    trusted_root_file: Path  # the root.json shipped with the terminal: the trust anchor
    data_dir: Path
    terminal_id: str
    ring: str = ""
    max_bundle_bytes: int = 256_000
    timeout_s: float = 10.0
    ca_bundle: str = ""
    poll_interval_s: float = 300.0
    jitter_s: float = 60.0
    state_dir: Path | None = None  # [fleet] state_dir; None = <data_dir>/fleet

    @property
    def fleet_dir(self) -> Path:
        return self.state_dir or self.data_dir / "fleet"

    @classmethod
    def from_config(cls, config: KioskConfig, **overrides: Any) -> "FleetSettings":
        """From the `[fleet]` section (when the schema has one) and `[terminal]`."""
        fleet = getattr(config, "fleet", None)
        values: dict[str, Any] = {"data_dir": Path(config.terminal.data_dir),
                                  "state_dir": Path(config.fleet_dir),
                                  "terminal_id": config.terminal.id}
        if fleet is not None:
            values.update(repository_url=fleet.repository_url,
                          trusted_root_file=Path(fleet.trusted_root_file), ring=fleet.ring,
                          max_bundle_bytes=fleet.max_bundle_bytes, timeout_s=fleet.timeout_s,
                          ca_bundle=fleet.ca_bundle, poll_interval_s=fleet.poll_interval_s,
                          jitter_s=fleet.jitter_s)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def base_layers(site: str | Path | None) -> list[Layer]:
    """The layers a fleet layer is validated on: the defaults and this terminal's site file."""
    layers = [read_layer("default", DEFAULT_FILE)]
    if site:
        layers.append(read_layer("site", Path(site)))
    return layers


class _Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Wanted:
    targets: dict[str, TargetFile] = field(default_factory=dict)

    def record(self) -> dict[str, dict[str, Any]]:
        return {path: {"version": int((t.custom or {}).get("version", 0)),
                       "sha256": t.hashes.get("sha256", ""), "length": t.length,
                       "min_app_version": str((t.custom or {}).get("min_app_version", "0"))}
                for path, t in self.targets.items()}

    def digest(self) -> str:
        """Content and version of each layer: a bundle that failed is refused until the manager
        publishes again (even the same bytes, e.g. after a transient health-check failure)."""
        text = json.dumps({p: [r["sha256"], r["version"]] for p, r in self.record().items()},
                          sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def version(self) -> int:
        return max((r["version"] for r in self.record().values()), default=0)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class FleetUpdater:
    """Owns the fleet directory. It applies whenever a layer is ready: the UI takes a layer only
    by restarting, between citizen sessions (kiosk/fleet/service.py).
    `health_check(config)` returns True once devices and screens are back with the new
    configuration (False or an exception: roll back). Thread-safe; one poll at a time."""

    def __init__(self, settings: FleetSettings, *, layers: Callable[[], Sequence[Layer]],
                 health_check: Callable[[KioskConfig], bool] = lambda config: True,
                 app_version: str = app_version(),
                 fetcher: ConditionalFetcher | None = None):
        self.settings = settings
        self.layers = layers
        self.health_check = health_check
        self.app_version = app_version
        self.fetcher = fetcher or ConditionalFetcher(timeout_s=settings.timeout_s,
                                                     ca_bundle=settings.ca_bundle)
        self.dir = settings.fleet_dir
        self._lock = threading.Lock()
        self._root = settings.trusted_root_file.read_bytes()
        make_readable_dir(self.dir)
        make_private_dirs(self.dir / "tuf")
        make_private_dirs(self.dir / "targets")

    # -- files
    @property
    def applied_file(self) -> Path:
        return self.dir / "applied.toml"

    @property
    def last_good_file(self) -> Path:
        return self.dir / "last_good.toml"

    def state(self) -> dict[str, Any]:
        try:
            return json.loads((self.dir / "state.json").read_text())
        except FileNotFoundError:
            return {"applied": None, "pending": None, "bad": {}, "last_failure": None}

    def _save(self, state: dict[str, Any]) -> None:
        write_atomic(self.dir / "state.json", json.dumps(state, indent=1).encode())

    def applied_version(self) -> int:
        applied = self.state().get("applied")
        return int(applied["version"]) if applied else 0

    # -- the poll
    def poll_once(self) -> PollResult:
        with self._lock:
            recovered = self._recover()
            if recovered is not None:
                return recovered
            try:
                return self._poll(self.state())
            except _Refused as refused:
                return self._fail(Outcome.REFUSED, refused.reason)

    def _poll(self, state: dict[str, Any]) -> PollResult:
        updater, wanted = self._verify()
        applied = state.get("applied") or {}
        digest = wanted.digest()
        if digest == applied.get("digest") or (not wanted.targets and not applied):
            return PollResult(Outcome.UNCHANGED, version=self.applied_version())
        if digest in state.get("bad", {}):
            raise _Refused(f"version {wanted.version()} failed before "
                           f"({state['bad'][digest]}); waiting for a newer one")
        record = wanted.record()
        for path, old in (applied.get("targets") or {}).items():
            if path in record and record[path]["version"] < old["version"]:
                raise _Refused(f"{path}: version {record[path]['version']} is older than the "
                               f"applied {old['version']} (rollback refused)")
        for path, item in record.items():
            if item["length"] > self.settings.max_bundle_bytes:
                raise _Refused(f"{path}: {item['length']} bytes is more than the "
                               f"{self.settings.max_bundle_bytes} allowed")
            if not satisfies(self.app_version, item["min_app_version"]):
                raise _Refused(f"{path}: version {item['version']} needs app "
                               f"{item['min_app_version']}, this terminal runs "
                               f"{self.app_version}")
        layer, config = self._validated(updater, wanted, digest, state)
        return self._apply(state, {"digest": digest, "version": wanted.version(),
                                   "targets": record}, layer, config)

    def _verify(self) -> tuple[Updater, _Wanted]:
        base = self.settings.repository_url.rstrip("/")
        config = UpdaterConfig(targets_max_length=max(self.settings.max_bundle_bytes, 100_000),
                               snapshot_max_length=100_000, root_max_length=100_000)
        try:
            updater = Updater(str(self.dir / "tuf"), f"{base}/metadata/",
                              str(self.dir / "targets"), f"{base}/targets/",
                              fetcher=self.fetcher, config=config, bootstrap=self._root)
            updater.refresh()
            wanted = _Wanted()
            for scope in scopes_for(self.settings.ring, self.settings.terminal_id):
                info = updater.get_targetinfo(scope.target_path)
                if info is not None:
                    wanted.targets[scope.target_path] = info
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError) as exc:
            raise _Refused(f"repository not trusted or not reachable: "
                           f"{type(exc).__name__}: {exc}") from None
        except (OSError, ValueError) as exc:
            raise _Refused(f"repository unusable: {type(exc).__name__}: {exc}") from None
        return updater, wanted

    def _validated(self, updater: Updater, wanted: _Wanted, digest: str,
                   state: dict[str, Any]) -> tuple[dict[str, Any], KioskConfig]:
        merged: dict[str, Any] = {}
        for path, info in wanted.targets.items():
            try:
                local = updater.find_cached_target(info) or updater.download_target(info)
                data = Path(local).read_bytes()
                layer = tomllib.loads(data.decode("utf-8"))
            except (tuf_errors.RepositoryError, tuf_errors.DownloadError, OSError) as exc:
                raise _Refused(f"{path}: download refused: {type(exc).__name__}: {exc}") \
                    from None
            except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                self._mark_bad(state, digest, f"{path}: not valid TOML")
                raise _Refused(f"{path}: not valid TOML: {exc}") from None
            refused = refusal(layer)
            if refused:
                self._mark_bad(state, digest, f"{path}: {refused}"[:200])
                raise _Refused(f"{path}: {refused}")
            merged = merge(merged, layer)
        try:
            config = validate_layers([*self.layers(),
                                      Layer("fleet", self.applied_file, merged)])
        except ConfigError as exc:
            self._mark_bad(state, digest, "schema")
            raise _Refused("the new layer breaks the schema: " + "; ".join(exc.problems)) \
                from None
        return merged, config

    def _mark_bad(self, state: dict[str, Any], digest: str, reason: str) -> None:
        state.setdefault("bad", {})[digest] = reason
        self._save(state)

    # -- applying
    def _apply(self, state: dict[str, Any], new: dict[str, Any], layer: dict[str, Any],
               config: KioskConfig) -> PollResult:
        header = (f"# Written by the fleet updater: configuration version {new['version']}, "
                  f"{_now()}.\n# Do not edit: the next update replaces it.\n")
        data = (header + tomli_w.dumps(layer)).encode()
        new["file_sha256"] = _sha(data)
        new["applied_at"] = _now()
        prev = state.get("applied")
        state["pending"] = {"new": new, "prev": prev}
        self._save(state)
        if self.applied_file.exists():
            write_atomic(self.last_good_file, self.applied_file.read_bytes())
        else:
            remove_durably(self.last_good_file)
        write_atomic(self.applied_file, data, crash_name="fleet.apply")
        try:
            healthy = bool(self.health_check(config))
            reason = "" if healthy else "health check failed"
        except Exception as exc:  # the check's own failure is a failed check
            healthy, reason = False, f"health check failed: {type(exc).__name__}"
        if healthy:
            state.update(applied=new, pending=None)
            self._save(state)
            log.info("fleet configuration version %s applied", new["version"])
            return PollResult(Outcome.APPLIED, version=new["version"])
        self._restore(prev)
        state.update(applied=prev, pending=None)
        state.setdefault("bad", {})[new["digest"]] = reason
        self._save(state)
        return self._fail(Outcome.ROLLED_BACK, f"version {new['version']}: {reason}; "
                                               "the last good configuration is back",
                          new["version"])

    def _restore(self, prev: dict[str, Any] | None) -> None:
        if prev is None:
            remove_durably(self.applied_file)
        else:
            write_atomic(self.applied_file, self.last_good_file.read_bytes())

    def _recover(self) -> PollResult | None:
        """After a power cut mid-apply: put the last good layer back (or see it never left)."""
        remove_leftovers(self.dir)
        state = self.state()
        pending = state.get("pending")
        if not pending:
            return None
        prev, new = pending["prev"], pending["new"]
        current = _sha(self.applied_file.read_bytes()) if self.applied_file.exists() else None
        state["pending"] = None
        if current == (prev or {}).get("file_sha256"):
            self._save(state)  # cut before the rename: nothing had changed
            return None
        self._restore(prev)
        state["applied"] = prev
        interrupted = state.setdefault("interrupted", {})
        interrupted[new["digest"]] = interrupted.get(new["digest"], 0) + 1
        if interrupted[new["digest"]] >= MAX_INTERRUPTED:
            state.setdefault("bad", {})[new["digest"]] = "apply interrupted repeatedly"
        self._save(state)
        return self._fail(Outcome.ROLLED_BACK, f"applying version {new['version']} was "
                                               "interrupted; the last good configuration is back",
                          new["version"])

    def _fail(self, outcome: Outcome, reason: str, version: int | None = None) -> PollResult:
        """`version`: the layer taken back (the heartbeat reports it for the console's rollouts)."""
        state = self.state()
        state["last_failure"] = {"at": _now(), "outcome": str(outcome), "reason": reason[:500],
                                 **({"version": int(version)} if version else {})}
        self._save(state)
        if outcome is Outcome.ROLLED_BACK:
            emit("config_rolled_back", version=self.applied_version(), reason=reason)
        else:
            log.warning("fleet update %s: %s", outcome, reason)
        return PollResult(outcome, reason, self.applied_version())

    # -- running
    def next_delay(self) -> float:
        return self.settings.poll_interval_s + random.uniform(0, self.settings.jitter_s)

    def run(self, stop: threading.Event,
            on_result: Callable[[PollResult], None] = lambda result: None) -> None:
        """Poll until `stop` is set; the first poll comes after a jittered delay too, so a
        fleet restarted together does not poll together."""
        while not stop.wait(self.next_delay()):
            try:
                on_result(self.poll_once())
            except Exception:  # the loop outlives any one poll
                log.exception("fleet poll failed")


def make_readable_dir(directory: Path) -> None:
    """The fleet directory: written by the updater's user only, read by the UI's group (0750)."""
    if not directory.is_dir():
        make_private_dirs(directory)
        directory.chmod(0o750)
