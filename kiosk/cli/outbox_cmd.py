"""`kiosk outbox status|list|retry|discard|salvage|keygen`: what is waiting to reach the
platform, the staff's two ways out for an item the platform refused, putting back the items of
a file set aside as damaged, and the key's first making. Nothing here shows a payload."""

from __future__ import annotations

import pwd
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.cli.staff import audited, staff_options
from kiosk.config import ConfigError
from kiosk.config.loader import validate_layers
from kiosk.outbox import (STATES, Outbox, OutboxDamaged, OutboxError, OutboxItem, OutboxKeyError,
                          database_path, open_outbox)
from kiosk.outbox.keygen import make_clear_key, make_sealed_key


@click.group("outbox")
def outbox_group() -> None:
    """The queue of applications waiting to reach the platform."""


@contextmanager
def _opened(ctx: CliContext) -> Iterator[Outbox]:
    try:
        outbox = open_outbox(ctx.loaded.config, create=False)
    except (OutboxDamaged, OSError, sqlite3.Error) as exc:  # e.g. "file is not a database"
        fail(f"cannot open the outbox: {exc}")
    except (OutboxError, OutboxKeyError) as exc:
        fail(str(exc))
    try:
        yield outbox
    finally:
        outbox.close()


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _resolve(outbox: Outbox, item: str) -> OutboxItem:
    """An item by id, or by the reference printed on the citizen's receipt (K...)."""
    try:
        return outbox.get(int(item)) if item.isdigit() else outbox.find(item)
    except OutboxError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


@outbox_group.command("status")
@pass_ctx
def status(ctx: CliContext) -> None:
    """Depth, age of the oldest pending item, refused items, the last error."""
    with _opened(ctx) as outbox:
        s = outbox.stats()
    now = time.time()
    data = asdict(s) | {
        "database": str(outbox.db_path),
        "oldest_pending_age_s": None if s.oldest_pending_at is None
        else round(now - s.oldest_pending_at, 1)}
    lines = [f"outbox {outbox.db_path}",
             f"  pending:   {s.pending}"
             + (f" (oldest {_age(now - s.oldest_pending_at)} old"
                f", next attempt {_when(s.next_attempt_at)})" if s.oldest_pending_at else ""),
             f"  refused:   {s.refused}" + ("  <- needs staff: kiosk outbox list --state refused"
                                            if s.refused else ""),
             f"  delivered: {s.delivered}   discarded: {s.discarded}",
             f"  free disk: {s.free_bytes // 2**20} MB",
             "  last error: " + (f"{s.last_error} (item {s.last_error_item}, "
                                 f"{_when(s.last_error_at)})" if s.last_error else "none")]
    ctx.emit(data, "\n".join(lines))


@outbox_group.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice(STATES),
              help="Only items in this state (repeatable).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@pass_ctx
def list_items(ctx: CliContext, states: tuple[str, ...], limit: int) -> None:
    """Items in queue order (metadata only: never the application itself)."""
    with _opened(ctx) as outbox:
        items = outbox.items(states or None, limit=limit)
    rows = [f"{'id':>6}  {'reference':<10} {'kind':<12} {'state':<9} {'tries':>5}  "
            f"{'created':<19}  last error"]
    rows += [f"{i.id:>6}  {i.reference:<10} {i.kind:<12} {i.state:<9} {i.attempts:>5}  "
             f"{_when(i.created_at):<19}  {i.last_error or ''}" for i in items]
    if not items:
        rows.append("(no items)")
    ctx.emit([asdict(i) for i in items], "\n".join(rows))


@outbox_group.command("retry")
@click.argument("item")
@staff_options()
@pass_ctx
def retry(ctx: CliContext, item: str, staff: str, reason: str) -> None:
    """Send ITEM (id or receipt reference) again: a refused item, or a waiting one now.
    The idempotency key stays the same, so the platform cannot file it twice. Audited with
    --staff and --reason."""
    with _opened(ctx) as outbox:
        found = _resolve(outbox, item)
        audited(ctx, staff, reason, "outbox.retry", item=found.id, state=found.state)
        try:
            updated = outbox.requeue(found.id)
        except OutboxError as exc:
            fail(str(exc))
    ctx.emit(asdict(updated), f"item {updated.id} ({updated.reference}) is pending again; "
                              f"the kiosk sends it within a minute")


@outbox_group.command("discard")
@click.argument("item")
@staff_options()
@pass_ctx
def discard(ctx: CliContext, item: str, staff: str, reason: str) -> None:
    """Give up on ITEM (id or receipt reference), which the platform refused, and wipe its
    payload. Cannot be undone; audited with --staff and --reason. A pending application is
    a citizen's filing on its way: it is never discarded."""
    with _opened(ctx) as outbox:
        found = _resolve(outbox, item)
        if found.state != "refused":
            fail(f"item {found.id} ({found.reference}) is {found.state}: only an item the "
                 f"platform refused may be discarded (kiosk outbox list --state refused)")
        audited(ctx, staff, reason, "outbox.discard", item=found.id,
                reference=found.reference, kind=found.kind)
        try:
            updated = outbox.discard(found.id, reason)
        except (OutboxError, ValueError) as exc:
            fail(str(exc))
    ctx.emit(asdict(updated), f"item {updated.id} ({updated.reference}) discarded; "
                              f"its payload is wiped")


@outbox_group.command("salvage")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--keep", is_flag=True, help="Leave the damaged file where it is (by default it "
              "is renamed <name>.salvaged-<time> once its items are back, so the kiosk opens "
              "its outbox again at its next start).")
@staff_options()
@pass_ctx
def salvage(ctx: CliContext, path: Path, keep: bool, staff: str, reason: str) -> None:
    """Put back in the queue what can be read of PATH, an outbox file set aside as damaged
    (outbox.sqlite3.damaged-<time>): each item under its own idempotency key and receipt
    reference, so nothing is filed twice and nothing already queued is queued again. Audited
    with --staff and --reason. Restart the kiosk afterwards to send them."""
    from kiosk.outbox.from_config import outbox_key
    from kiosk.outbox.salvage import put_back, read_damaged, set_aside_as_salvaged

    config = ctx.loaded.config
    live = database_path(config)
    if path.resolve() == live.resolve() or path.name.endswith(("-wal", "-shm")):
        fail(f"{path} is not a set-aside outbox file: name the {live.name}.damaged-<time> file")
    audited(ctx, staff, reason, "outbox.salvage", file=path.name)
    try:
        key = outbox_key(config, create=False)
        reading = read_damaged(path)
        with Outbox(live, key, max_items=config.outbox.max_items,
                    min_free_mb=config.outbox.min_free_mb, set_aside_damaged=False,
                    salvaging=True) as outbox:
            report = put_back(outbox, reading)
    except (OutboxError, OutboxKeyError, OSError, sqlite3.Error) as exc:
        fail(f"not salvaged: {exc}")
    moved = None
    if report.queued or report.present or (reading.readable and not report.unopened
                                           and not report.bad_rows):
        moved = None if keep else set_aside_as_salvaged(path)
    audited(ctx, staff, reason, "outbox.salvaged", file=path.name, queued=len(report.queued),
            present=len(report.present), unopened=len(report.unopened),
            bad_rows=report.bad_rows, finished=report.finished)
    data = asdict(report) | {"file": str(path), "moved_to": str(moved) if moved else None}
    lines = [f"{path}:",
             f"  put back in the queue: {len(report.queued)}"
             + (f" ({', '.join(report.queued[:10])}{' …' if len(report.queued) > 10 else ''})"
                if report.queued else ""),
             f"  already queued:        {len(report.present)}",
             f"  delivered or discarded before (nothing to send): {report.finished}",
             f"  rows that did not read: {report.bad_rows}; payloads that did not open: "
             f"{len(report.unopened)}"]
    if not reading.readable:
        lines.append("  the file does not read as an outbox at all (empty, or its first page is "
                     "gone): nothing to put back; remove it to let the kiosk start a new one")
    lines.append(f"  renamed {moved}: the kiosk opens its outbox at its next start" if moved
                 else f"  {path.name} stays: the kiosk opens no outbox while it is there")
    ctx.emit(data, "\n".join(lines))
    if not reading.readable or (not report.queued and not report.present
                                and (report.bad_rows or report.unopened)):
        raise SystemExit(1)


@outbox_group.command("keygen")
@click.option("--seal", is_flag=True, help="Production: seal the key with systemd-creds "
              "(TPM2 where present, else the host key) to <key_file>.cred; no clear key on disk.")
@click.option("--owner", default=None, help="Development: give a newly made clear key file to "
              "this user (an existing file is only checked, never chown-ed).")
@pass_ctx
def keygen(ctx: CliContext, seal: bool, owner: str | None) -> None:
    """Make the outbox key ([outbox] key_file) unless it is there; run as root before the UI's
    first start (kiosk-keys.service), since the UI cannot write /etc/kiosk. Each terminal makes
    its own: a key baked into a disk image would be every terminal's. Reads only the default
    and site files: a fleet layer, which the UI user could write, never names the path."""
    from kiosk.fleet.updater import base_layers  # (tuf: loaded only for this command)

    if seal and owner:
        fail("--seal makes a root-owned credential that systemd unseals for the UI: no --owner")
    try:
        config = validate_layers(base_layers(ctx.config_path))
    except ConfigError as exc:
        fail("configuration refused:\n  " + "\n  ".join(exc.problems))
    try:
        uid = pwd.getpwnam(owner).pw_uid if owner else None
    except KeyError:
        fail(f"no user {owner!r}")
    path = Path(config.outbox.key_file)
    try:
        result = make_sealed_key(path) if seal else make_clear_key(path, uid)
    except OutboxKeyError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot make the key for {path}: {exc.strerror or exc}")
    done = ("sealed the existing clear key, removed it" if result.migrated else
            ("created (sealed, 0600)" if result.sealed else "created (0600)") if result.created
            else "already there, checked")
    ctx.emit({"key_file": str(result.path), "created": result.created, "sealed": result.sealed,
              "migrated": result.migrated}, f"{result.path}: {done}")
