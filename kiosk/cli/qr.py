"""`kiosk qr decode IMAGE...` and `kiosk qr watch`: what a technician checks on QR hardware.

Code content may carry personal data: ID and mobile numbers are masked unless --unmasked.
"""

from __future__ import annotations

import queue
import time
from typing import Any

import click

from drivers.device import Device, DeviceEvent, EventKind
from drivers.qr.decode import DECODERS, DEFAULT_FORMATS, DecodeError, decode_file
from drivers.qr.payload import PayloadError, scanned_code
from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.cli.staff import audited, staff_options
from kiosk.logs import mask_text


@click.group("qr")
def qr_group() -> None:
    """QR codes and barcodes: decode image files, watch the camera or the serial scanner."""


def _shown(text: str, unmasked: bool) -> str:
    return text if unmasked else mask_text(text)


@qr_group.command("decode")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--decoder", type=click.Choice(DECODERS), default="zxing", show_default=True)
@click.option("--format", "formats", multiple=True, metavar="NAME",
              help=f"Barcode formats to look for (repeatable; default {', '.join(DEFAULT_FORMATS)};"
                   " e.g. QRCode, Code128, EAN13, PDF417, DataMatrix).")
@click.option("--unmasked", is_flag=True, help="Show ID/mobile numbers in full (needs --staff "
              "and --reason, audited).")
@staff_options(required=False)
@pass_ctx
def decode(ctx: CliContext, images: tuple[str, ...], decoder: str, formats: tuple[str, ...],
           unmasked: bool, staff: str | None, reason: str | None) -> None:
    """Decode every code in each IMAGE, with its position (corners, pixels)."""
    if unmasked:
        audited(ctx, staff, reason, "qr.decode_unmasked")
    results: list[dict[str, Any]] = []
    lines: list[str] = []
    bad = 0
    for path in images:
        try:
            codes = decode_file(path, decoder, formats or DEFAULT_FORMATS)
        except DecodeError as exc:
            bad += 1
            results.append({"file": path, "error": str(exc)})
            lines.append(f"{path}: error: {exc}")
            continue
        entries = []
        for code in codes:
            try:
                text: str | None = _shown(scanned_code(code.raw, code.format, "file").text,
                                          unmasked)
                refused = None
            except PayloadError as exc:
                text, refused = None, str(exc)
            entries.append({**code.as_dict(), "text": text, "refused": refused})
        results.append({"file": path, "codes": entries})
        if not entries:
            lines.append(f"{path}: no code found")
        for e in entries:
            corners = " ".join(f"({x},{y})" for x, y in e["corners"])
            what = e["text"] if e["text"] is not None else f"refused: {e['refused']}"
            lines.append(f"{path}: {e['format']} at {corners}: {what}")
    ctx.emit({"decoder": decoder, "results": results}, "\n".join(lines))
    if bad:
        raise SystemExit(1)


@qr_group.command("watch")
@click.option("--device", "which", type=click.Choice(["camera", "serial"]), default="camera",
              show_default=True, help="The QR camera (devices.qr_camera) or the serial scanner.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(0.1, 3600), default=30.0,
              show_default=True, help="Seconds to watch.")
@click.option("--count", type=click.IntRange(1, 1000), default=1, show_default=True,
              help="Stop after this many codes.")
@click.option("--unmasked", is_flag=True, help="Show ID/mobile numbers in full (needs --staff "
              "and --reason, audited).")
@staff_options(required=False)
@pass_ctx
def watch(ctx: CliContext, which: str, timeout_s: float, count: int, unmasked: bool,
          staff: str | None, reason: str | None) -> None:
    """Start the configured scanner and print the codes it reads."""
    if unmasked:  # in the trail before any code is read
        audited(ctx, staff, reason, "qr.watch_unmasked", device=which)
    from kiosk.devices.qr import build_camera_scanner, build_serial_scanner

    cfg = ctx.loaded.config.devices
    device: Device = (build_camera_scanner(cfg.qr_camera) if which == "camera"
                      else build_serial_scanner(cfg.qr_serial))
    events: queue.SimpleQueue[DeviceEvent] = queue.SimpleQueue()
    device.subscribe(lambda e: events.put(e) if e.kind == EventKind.CODE_SCANNED else None)
    seen: list[dict[str, Any]] = []
    device.start()
    try:
        deadline = time.monotonic() + timeout_s
        if not device.wait_for(lambda s: s.state != "starting", min(timeout_s, 10.0)):
            fail(f"{device.name} did not report a status")
        if not device.status.usable:
            fail(f"{device.name} not usable: {device.status.state} ({device.status.detail})")
        if not ctx.as_json:
            click.echo(f"watching {device.name} for {timeout_s:g} s ...", err=True)
        while len(seen) < count:
            try:
                event = events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            data = dict(event.data)
            if data.get("text") is not None:
                data["text"] = _shown(data["text"], unmasked)
            seen.append(data)
            if not ctx.as_json:
                click.echo(f"{data.get('format')}: " + (data["text"] if data.get("text") is not None
                                                       else f"refused ({data.get('refused')})"))
    finally:
        device.stop()
    if ctx.as_json:
        ctx.emit({"device": device.name, "codes": seen})
    if not seen:
        fail(f"no code within {timeout_s:g} s")
