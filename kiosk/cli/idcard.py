"""`kiosk idcard read` (wait for a card on the configured module) and `kiosk idcard decode`."""

from __future__ import annotations

import queue
import re
import sys
import time
from typing import Any

import click

from drivers.device import DeviceEvent, DeviceState, EventKind
from drivers.idcard import frame
from drivers.idcard.card import parse_base_info
from drivers.idcard.errors import IdCardError
from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.cli.staff import audited, staff_options
from kiosk.devices.idcard import build_reader


@click.group("idcard")
def idcard_group() -> None:
    """ID card module (GA/T 467): read a card, decode a captured frame."""


def _card_text(data: dict[str, Any]) -> str:
    return "\n".join(f"{k:>16}: {v}" for k, v in data.items())


@idcard_group.command("read")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds to wait for a card.")
@click.option("--unmasked", is_flag=True, help="Show personal data in full (on screen only; "
              "needs --staff and --reason, audited).")
@staff_options(required=False)
@pass_ctx
def read(ctx: CliContext, timeout: float, unmasked: bool, staff: str | None,
         reason: str | None) -> None:
    """Open the configured module, wait for a card, print it (masked unless --unmasked)."""
    cfg = ctx.loaded.config.devices.idcard
    if not cfg.enabled:
        fail("devices.idcard is disabled in the configuration")
    if unmasked:  # in the trail before any card is read
        audited(ctx, staff, reason, "idcard.read_unmasked", device="idcard")
    reader = build_reader(cfg)
    events: queue.SimpleQueue[DeviceEvent] = queue.SimpleQueue()
    reader.subscribe(lambda e: events.put(e) if e.kind is EventKind.CARD_INSERTED else None)
    reader.start()
    try:
        reader.wait_for(lambda s: s.state is not DeviceState.STARTING,
                        min(timeout, cfg.read_timeout_s * 2 + 1))
        s = reader.status
        if s.state in (DeviceState.STARTING, DeviceState.OFFLINE, DeviceState.NO_DEVICE):
            fail(f"ID card module at {cfg.port} is {s.state}: {s.detail or s.reason}")
        if sys.stderr.isatty() and not ctx.as_json:
            click.echo(f"place a card on the reader at {cfg.port} ...", err=True)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                s = reader.status
                fail(f"no card read within {timeout:g} s (module {s.state}"
                     + (f", last error: {reader.last_error}" if reader.last_error else "") + ")")
            try:
                event = events.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue
            card = event.data["card"]
            data = card.to_dict(masked=not unmasked)
            data["read_ms"] = round((event.data.get("read_s") or 0) * 1000, 1)
            ctx.emit(data, _card_text(data))
            card.wipe()
            return
    finally:
        reader.stop()


def _hex_bytes(text: str) -> bytes:
    cleaned = re.sub(r"[\s,:;]|0x", "", text)
    if not cleaned:
        fail("no hex input")
    if not re.fullmatch(r"[0-9a-fA-F]*", cleaned) or len(cleaned) % 2:
        fail("input is not hex (pairs of 0-9, a-f; spaces allowed)")
    return bytes.fromhex(cleaned)


@idcard_group.command("decode")
@click.argument("file", required=False, type=click.File("r", encoding="utf-8"))
@click.option("--unmasked", is_flag=True, help="Show personal data in full (needs --staff and "
              "--reason, audited).")
@staff_options(required=False)
@pass_ctx
def decode(ctx: CliContext, file: Any, unmasked: bool, staff: str | None,
           reason: str | None) -> None:
    """Decode a hex READ BASE INFO reply frame (stdin or FILE) into the card, as JSON."""
    if unmasked:  # a captured frame is a citizen's card all the same
        audited(ctx, staff, reason, "idcard.decode_unmasked")
    raw = _hex_bytes((file or sys.stdin).read(10_000_000))
    try:
        reply = frame.parse_reply_body(frame.decode_one(raw)).raise_for_status()
        card = parse_base_info(reply.data)
    except IdCardError as exc:
        fail(f"{type(exc).__name__}: {exc}")
    data = card.to_dict(masked=not unmasked)
    ctx.emit(data)  # JSON either way: this is a tool for technicians and scripts
