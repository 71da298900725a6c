"""The fleet manager's TUF repository: keys, signed metadata and configuration bundles on disk.

Layout of `<repo>` (only `public/` is served; it is static files, so nginx, a CDN or an object
store serve it as well as the reference platform does):

    keys/             online keys: targets.pem, snapshot.pem, timestamp.pem (0600);
                      keys/retired/ the ones `rotate_key` replaced (to be destroyed)
    state/            the latest metadata of each role and the publish history (not served)
    public/metadata/  N.root.json, N.targets.json, N.snapshot.json, timestamp.json
    public/targets/   config/all.toml, config/ring/<ring>.toml, config/terminal/<id>.toml,
                      each stored as <sha256>.<name> (consistent snapshots: a file never changes)

Root is signed by a threshold of offline keys (`root-1.pem` ... in a directory kept elsewhere);
the rest by online keys. Consistent snapshots mean a terminal polling mid-publish still sees one
coherent repository: new files are written first and `timestamp.json` is replaced last.

One target per scope; its custom field carries the fleet-wide publish counter `version` (what
terminals report in their heartbeat), `min_app_version` and `published_at`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from securesystemslib.signer import Signer
from tuf.api.metadata import (Metadata, MetaFile, Root, Signed, Snapshot, TargetFile, Targets,
                              Timestamp)
from tuf.api.serialization.json import JSONSerializer
from tuf.repository import Repository

from kiosk.config.loader import DEFAULT_FILE, ConfigError, Layer, read_layer, validate_layers
from kiosk.fleet import keys
from kiosk.fleet.atomic import write_atomic
from kiosk.config.remote import refusal
from kiosk.fleet.scopes import Scope, scope_of_path
from kiosk.fleet.versions import parse_version
from kiosk.private_files import fsync_dir, make_private_dirs

EXPIRY = {"root": dt.timedelta(days=365), "targets": dt.timedelta(days=90),
          "snapshot": dt.timedelta(days=7), "timestamp": dt.timedelta(days=1)}
ROOT_THRESHOLD = 2
ROOT_KEYS = 3
SERIALIZER = JSONSerializer(compact=False)


class FleetError(Exception):
    """A fleet manager's command cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Published:
    version: int
    scope: str
    path: str
    sha256: str
    length: int
    min_app_version: str
    published_at: str


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class FleetRepository(Repository):
    """A repository directory. `now` is injectable so tests can sign metadata that is expired."""

    def __init__(self, repo_dir: str | Path, *, root_keys_dir: str | Path | None = None,
                 now: Callable[[], dt.datetime] = utcnow,
                 expiry: dict[str, dt.timedelta] | None = None):
        self.dir = Path(repo_dir)
        self.root_keys_dir = Path(root_keys_dir) if root_keys_dir else None
        self.now = now
        self.expiry = {**EXPIRY, **(expiry or {})}
        self._signers: dict[str, list[Signer]] = {}

    # -- paths
    @property
    def public(self) -> Path:
        return self.dir / "public"

    @property
    def metadata_dir(self) -> Path:
        return self.public / "metadata"

    @property
    def targets_dir(self) -> Path:
        return self.public / "targets"

    def _state(self, name: str) -> Path:
        return self.dir / "state" / name

    # -- tuf.repository.Repository
    def open(self, role: str) -> Metadata:
        path = self._state(f"{role}.json")
        if path.exists():
            return Metadata.from_bytes(path.read_bytes())
        fresh: dict[str, type[Signed]] = {"root": Root, "targets": Targets,
                                          "snapshot": Snapshot, "timestamp": Timestamp}
        return Metadata(fresh[role]())

    def close(self, role: str, md: Metadata) -> None:
        if self._state(f"{role}.json").exists():
            md.signed.version += 1
        md.signed.expires = (self.now() + self.expiry[role]).replace(microsecond=0)
        md.signatures.clear()
        signers = self._signers_for(role)
        for signer in signers:
            md.sign(signer, append=True)
        data = md.to_bytes(SERIALIZER)
        name = "timestamp.json" if role == "timestamp" else f"{md.signed.version}.{role}.json"
        target = self.metadata_dir / name
        old_mtime = target.stat().st_mtime if target.exists() else 0.0
        write_atomic(target, data)
        if role == "timestamp":
            _advance_mtime(target, old_mtime)
        write_atomic(self._state(f"{role}.json"), data)

    @property
    def targets_infos(self) -> dict[str, MetaFile]:
        data = self._state("targets.json").read_bytes()
        return {"targets.json": MetaFile.from_data(self.targets().version, data, ["sha256"])}

    @property
    def snapshot_info(self) -> MetaFile:
        data = self._state("snapshot.json").read_bytes()
        return MetaFile.from_data(self.snapshot().version, data, ["sha256"])

    # -- keys
    def _signers_for(self, role: str) -> list[Signer]:
        if role not in self._signers:
            if role == "root":
                if self.root_keys_dir is None:
                    raise FleetError("signing root needs the offline root keys (--root-keys DIR)")
                paths = keys.root_key_paths(self.root_keys_dir)
                if len(paths) < ROOT_THRESHOLD:
                    raise FleetError(f"{self.root_keys_dir}: {len(paths)} root keys, root needs "
                                     f"{ROOT_THRESHOLD} signatures")
                self._signers[role] = [keys.load(p) for p in paths]
            else:
                self._signers[role] = [keys.load(self.dir / "keys" / f"{role}.pem")]
        return self._signers[role]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One manager command at a time: two publishes must not both take version N+1."""
        make_private_dirs(self.dir / "state")
        with open(self.dir / "state" / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._settle_rotation()
            yield

    def _key_dirs(self) -> list[Path]:
        return [self.dir / "keys"] + ([self.root_keys_dir] if self.root_keys_dir else [])

    def _settle_rotation(self) -> None:
        """Finish (or forget) a key rotation cut short: a `<key>.pem.new` whose key the signed
        root already lists replaces `<key>.pem` (the old one goes to retired/); one it does not
        list never took effect and is removed."""
        if not self._state("root.json").exists():
            return
        listed = set(self.root().keys)
        for directory in self._key_dirs():
            for new in sorted(directory.glob("*.pem.new")):
                current = new.with_suffix("")  # root-1.pem.new -> root-1.pem
                try:
                    keyid = keys.load(new).public_key.keyid
                except keys.KeyFileError:  # cut while it was written: root cannot list it
                    keyid = ""
                if keyid in listed:
                    if current.exists():
                        retired = directory / "retired"
                        make_private_dirs(retired)
                        stamp = self.now().strftime("%Y%m%dT%H%M%S")
                        current.rename(retired / f"{current.stem}.{stamp}.pem")
                    new.rename(current)
                    self._signers.clear()  # the next signature is the new key's
                else:
                    new.unlink()
                fsync_dir(directory)

    # -- commands
    def init(self) -> Path:
        """New keys and version 1 of every role; returns the root.json terminals must trust."""
        if self._state("root.json").exists():
            raise FleetError(f"{self.dir} already holds a repository")
        if self.root_keys_dir is None:
            raise FleetError("init needs a directory for the offline root keys (--root-keys DIR)")
        if keys.root_key_paths(self.root_keys_dir):
            raise FleetError(f"{self.root_keys_dir} already holds root keys")
        for i in range(1, ROOT_KEYS + 1):
            keys.generate(self.root_keys_dir / f"root-{i}.pem")
        for role in keys.ONLINE_ROLES:
            keys.generate(self.dir / "keys" / f"{role}.pem")
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            with self.edit_root() as root:
                root.consistent_snapshot = True
                for signer in self._signers_for("root"):
                    root.add_key(signer.public_key, "root")
                root.roles["root"].threshold = ROOT_THRESHOLD
                for role in keys.ONLINE_ROLES:
                    root.add_key(self._signers_for(role)[0].public_key, role)
            with self.edit_targets():
                pass
            self.do_snapshot(force=True)
            self.do_timestamp(force=True)
        return self.metadata_dir / "1.root.json"

    def history(self) -> list[Published]:
        path = self._state("history.json")
        if not path.exists():
            return []
        return [Published(**item) for item in json.loads(path.read_text())]

    def current(self) -> dict[str, Published]:
        """What each scope's target is now (path -> its publish record)."""
        by_version = {p.version: p for p in self.history()}
        out = {}
        for path, target in self.targets().targets.items():
            version = (target.custom or {}).get("version")
            if version in by_version:
                out[path] = by_version[version]
        return out

    def validate_layer(self, scope: Scope, data: bytes, site: Path | None = None) -> None:
        """The same schema check a terminal makes, before anything is signed: default < (site)
        < the published `all` layer < this layer; and only keys a fleet layer may set."""
        try:
            layer = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise FleetError(f"{scope}: not valid TOML: {exc}") from None
        refused = refusal(layer)
        if refused:
            raise FleetError(f"{scope}: {refused}")
        layers = [read_layer("default", DEFAULT_FILE)]
        if site:
            layers.append(read_layer("site", site))
        below = self.current().get("config/all.toml")
        if scope.kind != "all" and below is not None:
            layers.append(Layer("fleet all", Path(below.path),
                                tomllib.loads(self.bundle(below).decode("utf-8"))))
        layers.append(Layer(f"fleet {scope}", Path(str(scope)), layer))
        try:
            validate_layers(layers)
        except ConfigError as exc:
            raise FleetError("the layer breaks the terminal's schema:\n  "
                             + "\n  ".join(exc.problems)) from None

    def bundle(self, published: Published) -> bytes:
        directory, _, name = published.path.rpartition("/")
        return (self.targets_dir / directory / f"{published.sha256}.{name}").read_bytes()

    def publish(self, scope: Scope, data: bytes, *, min_app_version: str = "0",
                site: Path | None = None) -> Published:
        """Validate, store and sign `data` as the layer of `scope`; returns its record."""
        parse_version(min_app_version)
        self.validate_layer(scope, data, site)
        with self._locked():
            history = self.history()
            version = max((p.version for p in history), default=0) + 1
            sha = hashlib.sha256(data).hexdigest()
            path = scope.target_path
            directory, _, name = path.rpartition("/")
            stored = self.targets_dir / directory / f"{sha}.{name}"
            stored.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(stored, data)
            record = Published(version, str(scope), path, sha, len(data), min_app_version,
                               self.now().isoformat(timespec="seconds"))
            with self.edit_targets() as targets:
                target = TargetFile.from_data(path, data, ["sha256"])
                target.unrecognized_fields["custom"] = {
                    "version": version, "min_app_version": min_app_version,
                    "published_at": record.published_at}
                targets.targets[path] = target
            self._commit(history + [record])
        return record

    def withdraw(self, scope: Scope) -> None:
        """Remove a scope's layer: its terminals fall back to the less specific ones."""
        with self._locked():
            with self.edit_targets() as targets:
                if targets.targets.pop(scope.target_path, None) is None:
                    raise FleetError(f"nothing is published for {scope}")
            self._commit(self.history())

    def promote(self, source: Scope, dest: Scope, *, site: Path | None = None) -> Published:
        """Publish to `dest` exactly the bundle `source` has now (canary -> district)."""
        current = self.current().get(source.target_path)
        if current is None:
            raise FleetError(f"nothing is published for {source}")
        return self.publish(dest, self.bundle(current), min_app_version=current.min_app_version,
                            site=site)

    def rollback(self, scope: Scope, to_version: int, *, site: Path | None = None) -> Published:
        """Publish again, as a NEW version, the bundle `scope` had at `to_version`: terminals
        never accept an older version, so going back is going forward."""
        old = next((p for p in self.history() if p.version == to_version), None)
        if old is None:
            raise FleetError(f"no published version {to_version}")
        return self.publish(scope, self.bundle(old), min_app_version=old.min_app_version,
                            site=site)

    def refresh(self) -> None:
        """Re-sign timestamp (and snapshot/targets when half their life is gone): run daily,
        e.g. from a systemd timer, so that terminals never see expired metadata."""
        with self._locked():
            soon = self.now() + self.expiry["snapshot"]
            if self.targets().expires <= soon:
                with self.edit_targets():
                    pass
            self.do_snapshot(force=self.snapshot().expires
                             <= self.now() + self.expiry["snapshot"] / 2)
            self.do_timestamp(force=True)

    def rotate_key(self, role: str, root_key: int | None = None) -> dict[str, Any]:
        """Replace one signing key (lost, compromised, or simply due), with a new root that a
        threshold of the old root keys AND of the new set sign: terminals follow it by
        themselves on their next poll, and from then on refuse anything the old key signs.
        `root_key` (1..3) says which root key; the replaced key may be missing (lost), it does
        not sign. Online roles are re-signed with their new key at once."""
        if role not in ("root", *keys.ONLINE_ROLES):
            raise FleetError(f"no role {role!r}; roles are root, {', '.join(keys.ONLINE_ROLES)}")
        if self.root_keys_dir is None:
            raise FleetError("a key rotation changes root: it needs the offline root keys "
                             "(--root-keys DIR)")
        with self._locked():
            root = self.root()
            if role == "root":
                if root_key is None or not 1 <= root_key <= ROOT_KEYS:
                    raise FleetError(f"say which root key to replace (--root-key 1..{ROOT_KEYS})")
                old_file = self.root_keys_dir / f"root-{root_key}.pem"
                others = [p for p in keys.root_key_paths(self.root_keys_dir) if p != old_file]
                signers = [keys.load(p) for p in others]
                held = {s.public_key.keyid for s in signers}
                if len(held & set(root.roles["root"].keyids)) < ROOT_THRESHOLD:
                    raise FleetError(f"the other root keys in {self.root_keys_dir} are not "
                                     f"{ROOT_THRESHOLD} of the current root's: cannot sign")
                old_ids = ([keys.load(old_file).public_key.keyid] if old_file.exists() else
                           [k for k in root.roles["root"].keyids if k not in held])
                if len(old_ids) != 1:
                    raise FleetError(f"{old_file} is missing and the lost key cannot be told "
                                     "apart; restore the other root key files first")
                new_file = old_file.with_name(old_file.name + ".new")
            else:
                old_ids = list(root.roles[role].keyids)
                new_file = self.dir / "keys" / f"{role}.pem.new"
                signers = self._signers_for("root")
            new = keys.generate(new_file)
            # root's signers: the remaining old keys satisfy the old threshold, and with the
            # new key the new one too
            self._signers["root"] = signers + [new] if role == "root" else signers
            with self.edit_root() as signed:
                for keyid in old_ids:
                    signed.revoke_key(keyid, role)
                signed.add_key(new.public_key, role)
            self._settle_rotation()
            if role == "targets":
                with self.edit_targets():
                    pass
            if role in ("targets", "snapshot"):
                self.do_snapshot(force=True)
            self.do_timestamp(force=True)
            return {"role": role, "root_version": self.root().version,
                    "new_keyid": new.public_key.keyid, "revoked_keyids": old_ids}

    def renew_root(self) -> int:
        """Re-sign root with a new expiry (it lasts a year; expired root stops every update).
        Needs a threshold of the offline root keys. Returns the new root version."""
        with self._locked():
            with self.edit_root():
                pass
            return self.root().version

    def _commit(self, history: list[Published]) -> None:
        write_atomic(self._state("history.json"),
                     json.dumps([p.__dict__ for p in history], indent=1).encode())
        self.do_snapshot()
        self.do_timestamp()

    def describe(self) -> dict[str, Any]:
        return {"root_version": self.root().version,
                "root_expires": self.root().expires.isoformat(),
                "timestamp_expires": self.timestamp().expires.isoformat(),
                "targets": {p: c.__dict__ for p, c in sorted(self.current().items())}}


def _advance_mtime(path: Path, old_mtime: float) -> None:
    """Give the new timestamp.json a later whole second than the one it replaces. Servers
    derive Last-Modified (and nginx its ETag) from the mtime in seconds, so two publishes in one
    second with files of equal size would otherwise be answered "304 Not Modified" and the
    second one would stay unseen until the next."""
    stamp = max(math.floor(time.time()), math.floor(old_mtime) + 1)
    os.utime(path, (stamp, stamp))


def scope_label(path: str) -> str:
    scope = scope_of_path(path)
    return str(scope) if scope else path
