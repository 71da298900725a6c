"""`kiosk audit verify|export|tail|keygen`: inspect the audit trail (全程留痕).

`verify` exits 0 when the chain is intact, 1 when it is broken (naming the first bad seq), 2
when there is nothing to check (no trail, unreadable export, unusable key).
"""

from __future__ import annotations

import re
import sys
from dataclasses import asdict

import click

from kiosk.audit import (AuditError, AuditTrail, VerifyResult, audit_path, create_key, load_key,
                         open_trail, verify_jsonl)
from kiosk.audit.from_config import audit_key_file
from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.cli.staff import audited, staff_options
from kiosk.events import emit

_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


@click.group("audit")
def audit_group() -> None:
    """The append-only, hash-chained audit trail."""


def _key(ctx: CliContext, key_file: str | None) -> bytes | None:
    path = key_file if key_file is not None else audit_key_file(ctx.loaded.config)
    if not path:
        return None
    try:
        return load_key(path)
    except AuditError as exc:
        fail(str(exc), 2)
        raise


def _report(ctx: CliContext, where: str, result: VerifyResult) -> None:
    emit("audit_verified", "success" if result.ok else "failure", entries=result.entries,
         first_bad_seq=result.first_bad_seq, reason=result.reason)
    mac = "with MACs" if result.mac_checked else "hashes only (no key)"
    if result.ok:
        text = (f"{where}: intact, {result.entries} entries ({mac})"
                + (f"; head {result.last_seq}:{result.last_hash}" if result.last_seq else ""))
    else:
        text = (f"{where}: BROKEN at seq {result.first_bad_seq}: {result.reason}\n"
                f"  {result.entries} entries before it are intact ({mac})")
    ctx.emit(asdict(result) | {"source": where}, text)
    if not result.ok:
        sys.exit(1)


@audit_group.command("verify")
@click.option("--file", "export_file", type=click.Path(dir_okay=False),
              help="Check a JSONL export instead of the terminal's trail.")
@click.option("--partial", is_flag=True, help="The export starts after seq 1 (--since).")
@click.option("--anchor", help="SEQ:HASH remembered elsewhere; catches a trail cut short.")
@click.option("--key-file", type=click.Path(dir_okay=False),
              help="HMAC key (default: [audit] key_file).")
@pass_ctx
def verify(ctx: CliContext, export_file: str | None, partial: bool, anchor: str | None,
           key_file: str | None) -> None:
    """Check the hash chain; exit 1 naming the first bad entry."""
    pinned = None
    if anchor:
        match = _ANCHOR.match(anchor)
        if not match:
            fail("--anchor is SEQ:HASH (the hash as 64 hex digits)", 2)
        pinned = (int(match.group(1)), match.group(2))
    key = _key(ctx, key_file)
    try:
        if export_file:
            result = verify_jsonl(export_file, key=key, anchor=pinned, partial=partial)
            where = export_file
        else:
            with AuditTrail(audit_path(ctx.loaded.config), key=key, create=False) as trail:
                result = trail.verify(anchor=pinned)
                where = str(trail.path)
    except (AuditError, OSError) as exc:
        fail(str(exc), 2)
    _report(ctx, where, result)


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
