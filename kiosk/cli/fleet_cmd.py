"""`kiosk fleet init|publish|promote|rollback|withdraw|refresh|rotate-key|renew-root|show|
status|poll|run`: signed configuration for every terminal (The Update Framework).

The manager's commands work on a repository directory (`--repo`, or $KIOSK_FLEET_REPO) whose
`public/` any static HTTP server serves; `run` is the terminal's updater (kiosk-fleet.service,
its own user), `poll` one poll by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from kiosk.cli import CliContext, fail, pass_ctx

DEFAULT_REPO = "run/fleet/repo"
DEFAULT_ROOT_KEYS = "run/fleet/offline-root-keys"

repo_option = click.option("--repo", "repo_dir", envvar="KIOSK_FLEET_REPO", default=DEFAULT_REPO,
                           show_default=True, type=click.Path(file_okay=False),
                           help="The fleet repository directory (public/ is what is served).")
root_keys_option = click.option(
    "--root-keys", required=True, type=click.Path(file_okay=False),
    help="The offline root keys (root-1.pem ...): a threshold of them signs the new root.")
ROOT_RENEW_WARNING = dt.timedelta(days=60)
site_option = click.option("--site", type=click.Path(exists=True, dir_okay=False), default=None,
                           help="Also validate on top of this site file.")


def _scope_options(func: Any) -> Any:
    func = click.option("--terminal", "terminal_id", default=None, help="One terminal id.")(func)
    func = click.option("--ring", default=None, help="A ring: lab, canary, district...")(func)
    return click.option("--all", "to_all", is_flag=True, help="Every terminal.")(func)


def _scope(to_all: bool, ring: str | None, terminal_id: str | None) -> Any:
    from kiosk.fleet.scopes import parse_scope

    chosen = [s for s in ("all" if to_all else None, ring and f"ring:{ring}",
                          terminal_id and f"terminal:{terminal_id}") if s]
    if len(chosen) != 1:
        fail("say who the layer is for: exactly one of --all, --ring NAME, --terminal ID")
    try:
        return parse_scope(chosen[0])
    except ValueError as exc:
        fail(str(exc))


def _repo(repo_dir: str, root_keys: str | None = None) -> Any:
    from kiosk.fleet.repository import FleetRepository

    return FleetRepository(repo_dir, root_keys_dir=root_keys)


def _run(action: Any) -> Any:
    from kiosk.fleet.keys import KeyFileError
    from kiosk.fleet.repository import FleetError

    try:
        return action()
    except (FleetError, KeyFileError, ValueError) as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"no repository there? {exc.filename}: not found (run `kiosk fleet init` first)")


def _published(ctx: CliContext, record: Any) -> None:
    ctx.emit(record.__dict__, f"published version {record.version} to {record.scope} "
             f"({record.length} bytes, sha256 {record.sha256[:12]}…, needs app "
             f">= {record.min_app_version})")


@click.group("fleet")
def fleet_group() -> None:
    """Signed configuration updates for the whole fleet of terminals."""


@fleet_group.command("init")
@repo_option
@click.option("--root-keys", default=DEFAULT_ROOT_KEYS, show_default=True,
              type=click.Path(file_okay=False),
              help="Where the 3 offline root keys are written (2 sign every root change).")
@pass_ctx
def init_cmd(ctx: CliContext, repo_dir: str, root_keys: str) -> None:
    """Make a repository: 3 offline root keys (threshold 2), online keys, version 1."""
    root = _run(lambda: _repo(repo_dir, root_keys).init())
    ctx.emit({"repository": repo_dir, "trusted_root": str(root), "root_keys": root_keys},
             f"repository in {repo_dir}; serve {repo_dir}/public.\n"
             f"Install {root} on every terminal as [fleet] trusted_root_file.\n"
             f"Move the root keys in {root_keys} offline (separate holders), and keep them.")


@fleet_group.command("publish")
@repo_option
@_scope_options
@click.option("--min-app-version", default="0", show_default=True,
              help="Terminals running an older app wait instead of applying.")
@site_option
@click.argument("layer", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def publish_cmd(ctx: CliContext, repo_dir: str, to_all: bool, ring: str | None,
                terminal_id: str | None, min_app_version: str, site: str | None,
                layer: str) -> None:
    """Validate LAYER (a TOML configuration layer) against the terminal's schema, then sign
    and publish it."""
    scope = _scope(to_all, ring, terminal_id)
    data = Path(layer).read_bytes()
    _published(ctx, _run(lambda: _repo(repo_dir).publish(
        scope, data, min_app_version=min_app_version, site=Path(site) if site else None)))


@fleet_group.command("promote")
@repo_option
@click.option("--from", "source", required=True, help="The ring whose layer has proven itself.")
@click.option("--to", "dest", required=True, help="The next ring.")
@pass_ctx
def promote_cmd(ctx: CliContext, repo_dir: str, source: str, dest: str) -> None:
    """Publish to the next ring exactly the layer a ring has now (lab → canary → district)."""
    from kiosk.fleet.scopes import parse_scope

    _published(ctx, _run(lambda: _repo(repo_dir).promote(parse_scope(f"ring:{source}"),
                                                         parse_scope(f"ring:{dest}"))))


@fleet_group.command("rollback")
@repo_option
@_scope_options
@click.option("--to-version", required=True, type=int, help="The version whose layer comes back.")
@pass_ctx
def rollback_cmd(ctx: CliContext, repo_dir: str, to_all: bool, ring: str | None,
                 terminal_id: str | None, to_version: int) -> None:
    """Publish an earlier layer again, as a new version (terminals never go back a version)."""
    scope = _scope(to_all, ring, terminal_id)
    _published(ctx, _run(lambda: _repo(repo_dir).rollback(scope, to_version)))


@fleet_group.command("withdraw")
@repo_option
@_scope_options
@pass_ctx
def withdraw_cmd(ctx: CliContext, repo_dir: str, to_all: bool, ring: str | None,
                 terminal_id: str | None) -> None:
    """Remove a scope's layer; its terminals keep the less specific layers."""
    scope = _scope(to_all, ring, terminal_id)
    _run(lambda: _repo(repo_dir).withdraw(scope))
    ctx.emit({"withdrawn": str(scope)}, f"withdrawn: {scope}")


@fleet_group.command("refresh")
@repo_option
@pass_ctx
def refresh_cmd(ctx: CliContext, repo_dir: str) -> None:
    """Re-sign the timestamp (daily, from a timer): expired metadata stops every update."""
    repo = _repo(repo_dir)
    _run(repo.refresh)
    root_expires = repo.root().expires
    text = f"timestamp re-signed; expires {repo.timestamp().expires.isoformat()}"
    if root_expires - dt.datetime.now(dt.timezone.utc) < ROOT_RENEW_WARNING:
        text += (f"\nWARNING: root expires {root_expires.isoformat()}; then no terminal takes "
                 "an update. Run `kiosk fleet renew-root --root-keys DIR` with the offline keys.")
    ctx.emit({"timestamp_expires": repo.timestamp().expires.isoformat(),
              "root_expires": root_expires.isoformat()}, text)


@fleet_group.command("rotate-key")
@repo_option
@root_keys_option
@click.option("--root-key", type=click.IntRange(1, 3), default=None,
              help="For ROLE root: which root key (root-N.pem) to replace.")
@click.argument("role", type=click.Choice(["root", "targets", "snapshot", "timestamp"]))
@pass_ctx
def rotate_key_cmd(ctx: CliContext, repo_dir: str, root_keys: str, root_key: int | None,
                   role: str) -> None:
    """Replace a signing key (lost, leaked or due). Terminals take the new root on their next
    poll and refuse whatever the old key signs from then on."""
    done = _run(lambda: _repo(repo_dir, root_keys).rotate_key(role, root_key))
    where = (f"{root_keys}/root-{root_key}.pem" if role == "root"
             else f"{repo_dir}/keys/{role}.pem")
    ctx.emit(done, f"{role} key replaced (new key {done['new_keyid'][:12]}… in {where}); "
             f"root is now version {done['root_version']}. The old key file is in "
             f"{Path(where).parent}/retired: destroy it once every terminal has polled.")


@fleet_group.command("renew-root")
@repo_option
@root_keys_option
@pass_ctx
def renew_root_cmd(ctx: CliContext, repo_dir: str, root_keys: str) -> None:
    """Re-sign root for another year (an expired root stops every update)."""
    repo = _repo(repo_dir, root_keys)
    version = _run(repo.renew_root)
    ctx.emit({"root_version": version, "root_expires": repo.root().expires.isoformat()},
             f"root version {version}, expires {repo.root().expires.isoformat()}")


@fleet_group.command("show")
@repo_option
@pass_ctx
def show_cmd(ctx: CliContext, repo_dir: str) -> None:
    """What is published now, scope by scope."""
    info = _run(lambda: _repo(repo_dir).describe())
    lines = [f"root v{info['root_version']} expires {info['root_expires']}, "
             f"timestamp expires {info['timestamp_expires']}"]
    for path, item in info["targets"].items():
        lines.append(f"  {item['scope']:<24} version {item['version']:<5} "
                     f"{item['published_at']}  app >= {item['min_app_version']}")
    ctx.emit(info, "\n".join(lines))


@fleet_group.command("status")
@click.option("--db", "db", envvar="KIOSK_PLATFORM_DB", default="run/platform/platform.sqlite3",
              show_default=True, type=click.Path(dir_okay=False),
              help="The platform database holding the terminals' heartbeats.")
@click.option("--stale-after", default=900, show_default=True, type=int,
              help="Seconds without a heartbeat after which a terminal is listed as silent.")
@pass_ctx
def status_cmd(ctx: CliContext, db: str, stale_after: int) -> None:
    """Which terminal runs which configuration version, from their latest heartbeats."""
    from kiosk.fleet.status import by_version, stale
    from kiosk.refplatform.store import Store
    from kiosk.refplatform.terminals import latest_heartbeats

    if not Path(db).exists():
        fail(f"no platform database at {db}")
    with Store(db).read() as conn:
        beats = latest_heartbeats(conn)
    groups = by_version(beats)
    silent = stale(beats, dt.datetime.now(dt.timezone.utc), dt.timedelta(seconds=stale_after))
    lines = [f"config {version:<6} {len(ids):>5} terminal(s): {', '.join(ids[:20])}"
             + (" …" if len(ids) > 20 else "") for version, ids in groups.items()]
    if silent:
        lines.append(f"silent for over {stale_after} s: {', '.join(silent[:20])}")
    ctx.emit({"by_version": groups, "silent": silent}, "\n".join(lines) or "no heartbeats yet")


@fleet_group.command("poll")
@click.option("--repository-url", default=None, help="Overrides [fleet] repository_url.")
@click.option("--trusted-root", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Overrides [fleet] trusted_root_file.")
@click.option("--ring", default=None, help="Overrides [fleet] ring.")
@pass_ctx
def poll_cmd(ctx: CliContext, repository_url: str | None, trusted_root: str | None,
             ring: str | None) -> None:
    """On a terminal: one update poll now (verify, validate, apply, health check = the whole
    configuration loads). Run it only when no citizen is at the screen."""
    from kiosk.config import load_layers
    from kiosk.fleet.updater import FleetSettings, FleetUpdater, base_layers

    loaded = ctx.loaded
    try:
        settings = FleetSettings.from_config(
            loaded.config, repository_url=repository_url,
            trusted_root_file=Path(trusted_root) if trusted_root else None, ring=ring)
    except TypeError:
        fail("no [fleet] section: give --repository-url and --trusted-root")
    site = next((layer.path for layer in loaded.layers if layer.name == "site"), None)

    def health(config: Any) -> bool:
        load_layers(site)  # the layers as the kiosk will read them at its next start
        return True

    try:
        updater = FleetUpdater(settings, layers=lambda: base_layers(site), health_check=health)
    except OSError as exc:
        fail(f"cannot read the trusted root or make {settings.fleet_dir}: {exc}")
    result = updater.poll_once()
    ctx.emit({"outcome": str(result.outcome), "version": result.version,
              "reason": result.reason},
             f"{result.outcome}: configuration version {result.version or 'none'}"
             + (f" — {result.reason}" if result.reason else ""))
    if result.outcome in ("refused", "rolled_back"):
        raise SystemExit(2)


@fleet_group.command("run")
@click.option("--once", is_flag=True, help="One step (judge the open trial, or poll) and exit.")
@pass_ctx
def run_cmd(ctx: CliContext, once: bool) -> None:
    """On a terminal: the fleet updater (kiosk-fleet.service, its own user): poll, verify,
    apply, and keep or take back each layer by what the UI reports after its restart."""
    import signal
    import threading

    from kiosk.config.loader import validate_layers
    from kiosk.fleet.daemon import FleetDaemon
    from kiosk.fleet.updater import base_layers
    from kiosk.logs import configure as configure_logging

    site = next((layer.path for layer in ctx.loaded.layers if layer.name == "site"), None)
    config = validate_layers(base_layers(site))  # its own settings never from a fleet layer
    if not config.fleet.enabled:
        fail("[fleet] enabled is false in the site file: nothing to run")
    try:
        daemon = FleetDaemon.for_config(config, site)
    except OSError as exc:
        fail(f"cannot read the trusted root or make {config.fleet_dir}: {exc}")
    if once:
        result = daemon.step()
        ctx.emit({"outcome": str(result.outcome) if result else "waiting",
                  "version": result.version if result else daemon.updater.applied_version(),
                  "reason": result.reason if result else ""},
                 f"{result.outcome}: {result.reason}" if result else
                 "a layer is on trial: waiting for the UI's report")
        return
    import logging

    configure_logging(logging.INFO)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    daemon.run(stop)
