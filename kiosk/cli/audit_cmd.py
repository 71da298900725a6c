"""`kiosk audit verify|export|tail|keygen|serve`: the audit trail (全程留痕).

`verify` exits 0 when the chain is intact, 1 when it is broken (naming the first bad seq), 2
when there is nothing to check (no trail, unreadable export, unusable key, no platform answer).
`verify --platform` also checks the trail against the heads this terminal reported in its
heartbeats (a trail cut short, or rewritten and re-chained, fails there). `serve` is the
signer (kiosk-audit.service): the one process holding the key and writing the trail.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

import click

from kiosk.audit import (AuditEntry, AuditError, AuditTrail, VerifyResult, audit_path,
                         create_key, load_key, open_trail, read_jsonl, verify_jsonl)
from kiosk.audit.from_config import audit_key_file
from kiosk.audit.heads import HeadCheck, check_heads, reported_heads
from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.cli.staff import audited, staff_options
from kiosk.events import emit

_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


@click.group("audit")
def audit_group() -> None:
    """The append-only, hash-chained audit trail."""


def _key(ctx: CliContext, key_file: str | None) -> bytes | None:
    """The key named (--key-file, [audit] key_file) must load; the default one beside the
    trail may be absent (a signer's trail checked elsewhere): hashes only then."""
    config = ctx.loaded.config
    path = key_file if key_file is not None else audit_key_file(config)
    if key_file is None and not config.audit.key_file and not Path(path).exists():
        return None
    try:
        return load_key(path)
    except AuditError as exc:
        fail(str(exc), 2)
        raise


def _report(ctx: CliContext, where: str, result: VerifyResult,
            platform: HeadCheck | None = None) -> None:
    emit("audit_verified", "success" if result.ok else "failure", entries=result.entries,
         first_bad_seq=result.first_bad_seq, reason=result.reason)
    mac = "with MACs" if result.mac_checked else "hashes only (no key)"
    if result.ok:
        text = (f"{where}: intact, {result.entries} entries ({mac})"
                + (f"; head {result.last_seq}:{result.last_hash}" if result.last_seq else ""))
    else:
        text = (f"{where}: BROKEN at seq {result.first_bad_seq}: {result.reason}\n"
                f"  {result.entries} entries before it are intact ({mac})")
    if platform is not None:
        emit("audit_verified", "success" if platform.ok else "failure", entries=platform.heads,
             first_bad_seq=platform.first_bad_seq, reason=platform.reason)
        text += ("\nagainst the platform: " + (
            f"consistent with the {platform.heads} heads reported "
            f"(last seq {platform.last_reported_seq})" if platform.ok else
            f"NOT what was reported, at seq {platform.first_bad_seq}: {platform.reason}"))
    data = asdict(result) | {"source": where}
    if platform is not None:
        data["platform"] = asdict(platform)
    ctx.emit(data, text)
    if not result.ok or (platform is not None and not platform.ok):
        sys.exit(1)


def _against_platform(ctx: CliContext, entries: Callable[[], Iterable[AuditEntry]]
                      ) -> HeadCheck:
    """The trail's entries against every head this terminal reported to the platform."""
    from kiosk.client import PlatformClient
    from kiosk.client.credentials import CredentialError
    from kiosk.client.errors import PlatformError

    try:
        with PlatformClient.from_config(ctx.loaded.config) as client:
            heads = reported_heads(client)
    except (CredentialError, PlatformError) as exc:
        fail(f"the platform could not give this terminal's reported heads: "
             f"{type(exc).__name__} {getattr(exc, 'code', '') or ''}".rstrip(), 2)
        raise
    return check_heads(entries(), heads)


@audit_group.command("verify")
@click.option("--file", "export_file", type=click.Path(dir_okay=False),
              help="Check a JSONL export instead of the terminal's trail.")
@click.option("--partial", is_flag=True, help="The export starts after seq 1 (--since).")
@click.option("--anchor", help="SEQ:HASH remembered elsewhere; catches a trail cut short.")
@click.option("--key-file", type=click.Path(dir_okay=False),
              help="HMAC key (default: [audit] key_file).")
@click.option("--platform", "against_platform", is_flag=True,
              help="Also check against the heads this terminal reported to the platform.")
@pass_ctx
def verify(ctx: CliContext, export_file: str | None, partial: bool, anchor: str | None,
           key_file: str | None, against_platform: bool) -> None:
    """Check the hash chain; exit 1 naming the first bad entry."""
    pinned = None
    if anchor:
        match = _ANCHOR.match(anchor)
        if not match:
            fail("--anchor is SEQ:HASH (the hash as 64 hex digits)", 2)
        pinned = (int(match.group(1)), match.group(2))
    key = _key(ctx, key_file)
    platform = None
    try:
        if export_file:
            result = verify_jsonl(export_file, key=key, anchor=pinned, partial=partial)
            where = export_file
            if against_platform:
                with open(export_file, encoding="utf-8") as lines:
                    platform = _against_platform(ctx, lambda: read_jsonl(lines))
        else:
            with AuditTrail(audit_path(ctx.loaded.config), key=key, create=False) as trail:
                result = trail.verify(anchor=pinned)
                where = str(trail.path)
                if against_platform:
                    platform = _against_platform(ctx, trail.entries)
    except (AuditError, OSError) as exc:
        fail(str(exc), 2)
    _report(ctx, where, result, platform)


@audit_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default stdout).")
@click.option("--since", default=1, type=click.IntRange(1), help="First seq to export.")
@staff_options()
@pass_ctx
def export(ctx: CliContext, out: str | None, since: int, staff: str, reason: str) -> None:
    """Write the trail as JSONL (one entry a line, with its hash) for inspection. Who took
    the copy and why goes into the trail first (--staff, --reason), so it is in the copy."""
    audited(ctx, staff, reason, "audit.export", create=False, since=since,
            to="stdout" if out is None else "file")
    try:
        with open_trail(ctx.loaded.config, create=False) as trail:
            if out is None:
                trail.export(sys.stdout, since)
                return
            with open(out, "w", encoding="utf-8") as handle:
                count = trail.export(handle, since)
    except (AuditError, OSError) as exc:
        fail(str(exc), 2)
    click.echo(f"{count} entries written to {out}", err=True)


@audit_group.command("tail")
@click.option("-n", "count", default=20, show_default=True, type=click.IntRange(1, 10_000))
@pass_ctx
def tail(ctx: CliContext, count: int) -> None:
    """The last entries, newest last."""
    try:
        with open_trail(ctx.loaded.config, create=False) as trail:
            head = trail.head()
            start = max(1, head[0] - count + 1) if head else 1
            entries = list(trail.entries(start))
    except (AuditError, OSError) as exc:
        fail(str(exc), 2)
    rows = [f"{e.seq:>7}  {e.time}  {e.actor_kind}:{e.actor_id}  {e.action}  "
            f"{e.details if e.details else ''}" for e in entries] or ["(empty)"]
    ctx.emit([asdict(e) for e in entries], "\n".join(rows))


@audit_group.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False))
def keygen(path: str) -> None:
    """Create the HMAC key file (refuses to overwrite one)."""
    try:
        create_key(path)
    except (AuditError, OSError) as exc:
        fail(str(exc), 2)
    click.echo(f"key written to {path}; set [audit] key_file = \"{path}\"")


@audit_group.command("serve")
@click.option("--socket", "socket_path", required=True, type=click.Path(dir_okay=False),
              help="The unix socket to listen on (mode 0660: the signer's user and group).")
@click.option("--trail", "trail_path", required=True, type=click.Path(dir_okay=False),
              help="The trail's database (the signer's alone).")
@click.option("--key-file", required=True, type=click.Path(dir_okay=False),
              help="The HMAC key (made, mode 0600, if there is none).")
def serve(socket_path: str, trail_path: str, key_file: str) -> None:
    """The audit signer: hold the key, write the trail, answer the UI and staff commands."""
    from kiosk.admin.watchdog import Notifier
    from kiosk.audit.keyfile import load_or_create_key
    from kiosk.audit.signer import SignerServer

    try:
        trail = AuditTrail(trail_path, key=load_or_create_key(key_file))
    except (AuditError, OSError) as exc:
        fail(str(exc), 2)
    with trail, SignerServer(socket_path, trail) as server:
        notifier = Notifier(os.environ.get("NOTIFY_SOCKET"))
        notifier.send("READY=1", f"STATUS=signing {trail_path}")
        click.echo(f"audit signer: {trail_path} on {socket_path}", err=True)
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(
            target=server.shutdown, daemon=True).start())
        server.serve_forever()
