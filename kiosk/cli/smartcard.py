"""`kiosk smartcard readers` and `kiosk smartcard read`: what a technician checks first."""

from __future__ import annotations

import queue
import time

import click

from drivers.device import DeviceEvent, EventKind
from drivers.smartcard.identity import Identity
from drivers.smartcard.reader import SmartCardReader
from drivers.smartcard.watcher import PcscWatcher, use_pcscd_socket
from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.cli.staff import audited, staff_options


@click.group("smartcard")
def smartcard_group() -> None:
    """PC/SC smart card reader (eID / social-security cards)."""


@smartcard_group.command("readers")
@pass_ctx
def readers(ctx: CliContext) -> None:
    """List the PC/SC readers pcscd knows and whether a card is in each."""
    use_pcscd_socket(ctx.loaded.config.devices.smartcard.pcscd_socket)
    watcher = PcscWatcher()
    try:
        watcher.step(0)
        if not watcher.service_ok:
            fail(f"pcscd is not reachable ({watcher.last_error}); is the pcscd service running?")
        rows = [{"reader": r, "card_present": watcher.card_present(r),
                 "atr": watcher.atr(r).hex().upper()} for r in watcher.readers]
    finally:
        watcher.close()
    configured = ctx.loaded.config.devices.smartcard.reader
    text = "\n".join(
        f"{'*' if configured and configured in row['reader'] else ' '} {row['reader']}: "
        + (f"card, ATR {row['atr']}" if row["card_present"] else "no card")
        for row in rows) or "no readers attached"
    ctx.emit({"readers": rows, "configured": configured}, text)


@smartcard_group.command("read")
@click.option("--timeout", "timeout_s", type=click.FloatRange(0.1, 3600), default=30.0,
              show_default=True, help="Seconds to wait for a card.")
@click.option("--unmasked", is_flag=True, help="Show personal data in full (technicians only; "
              "needs --staff and --reason, audited).")
@staff_options(required=False)
@pass_ctx
def read(ctx: CliContext, timeout_s: float, unmasked: bool, staff: str | None,
         reason: str | None) -> None:
    """Wait for a card in the configured reader; print its ATR and identity (masked)."""
    c = ctx.loaded.config.devices.smartcard
    if unmasked:  # in the trail before any card is read
        audited(ctx, staff, reason, "smartcard.read_unmasked", device="smartcard")
    device = SmartCardReader("smartcard", reader=c.reader, apdu_timeout=c.apdu_timeout_s,
                             poll_interval=min(c.poll_interval_s, 0.2),
                             missed_polls_to_offline=c.missed_polls_to_offline,
                             pcscd_socket=c.pcscd_socket)
    events: queue.SimpleQueue[DeviceEvent] = queue.SimpleQueue()
    device.subscribe(lambda e: events.put(e) if e.kind == EventKind.CARD_INSERTED else None)
    device.start()
    try:
        deadline = time.monotonic() + timeout_s
        if not device.wait_for(lambda s: s.state != "starting", min(timeout_s, 5.0)):
            fail("the reader did not report a status")
        if not device.status.usable:
            fail(f"reader not usable: {device.status.state} ({device.status.detail})")
        if not ctx.as_json:
            click.echo(f"waiting for a card in {device.status.detail} ...", err=True)
        try:
            event = events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            fail(f"no card within {timeout_s:g} s")
            return
    finally:
        device.stop()
    identity = event.data.get("identity")
    data = {"reader": event.data["reader"], "atr": event.data["atr"],
            "protocol": event.data["protocol"],
            "identity": identity.as_dict(unmasked) if isinstance(identity, Identity) else None,
            "identity_error": event.data.get("identity_error")}
    lines = [f"reader:   {data['reader']}", f"ATR:      {data['atr']} ({data['protocol'] or '?'})"]
    if data["identity"]:
        d = data["identity"]
        lines += [f"ID number: {d['id_number']}", f"name:      {d['name']}",
                  f"card no.:  {d['card_number']}", f"expires:   {d['expiry']}"
                  + (" (EXPIRED)" if identity.expired() else "")]
    else:
        lines.append(f"identity: not readable ({data['identity_error']})")
    ctx.emit(data, "\n".join(lines))
