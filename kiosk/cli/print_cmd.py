"""`kiosk print test|receipt --device NAME`: print through the configured printer and say
whether it really printed (job-done confirmation from the printer, not just bytes sent)."""

from __future__ import annotations

import time

import click

from drivers.device import DeviceError, DeviceState
from drivers.printer.document import Document
from drivers.printer.samples import sample_receipt, test_page
from kiosk.cli import CliContext, fail, pass_ctx
from drivers.pageprinter.samples import test_page_pdf
from kiosk.config.schema import PagePrinterConfig, PrinterConfig
from kiosk.devices.page_printer import build_page_printer
from kiosk.devices.printer import build_printer


@click.group("print")
def print_group() -> None:
    """Print a test page or a sample receipt on a receipt printer."""


def _run_page_printer(ctx: CliContext, device: str, cfg: PagePrinterConfig) -> None:
    """The A4 test page on a page printer: printed only when its job completed whole."""
    printer = build_page_printer(device, cfg)
    printer.poll_interval = min(printer.poll_interval, 0.5)
    printer.start()
    try:
        printer.wait_for(lambda s: s.state != DeviceState.STARTING, 10)
        status = printer.status
        if status.state in (DeviceState.STARTING, DeviceState.NO_DEVICE, DeviceState.OFFLINE):
            fail(f"{device} ({cfg.uri}) does not answer: {status.detail or status.state}")
        try:
            result = printer.print_pdf(test_page_pdf(ctx.loaded.config.terminal.name)).result(
                timeout=cfg.job_timeout_s + 30)
        except DeviceError as exc:
            fail(f"{device} did not print: {exc.reason} ({exc})")
        except Exception as exc:
            fail(f"{device} did not print: {type(exc).__name__}: {exc}")
        ctx.emit({"device": device, "printed": True, "document": "A4 test page",
                  "pages": result.pages, "job_id": result.job_id,
                  "seconds": result.seconds, "confirmed_by": "impressions"},
                 f"{device}: printed the A4 test page (job {result.job_id}, {result.pages} "
                 f"page, {result.seconds:.2f} s, completed with all impressions)")
    finally:
        printer.stop()


def _run(ctx: CliContext, device: str, document: Document, width: int | None) -> None:
    cfg = getattr(ctx.loaded.config.devices, device, None)
    if isinstance(cfg, PagePrinterConfig):
        if document.title != "test page":
            fail(f"{device} is an A4 page printer: only `kiosk print test` goes to it")
        _run_page_printer(ctx, device, cfg)
        return
    if not isinstance(cfg, PrinterConfig):
        fail(f"no printer named {device!r} in the configuration (devices.{device})")
    assert isinstance(cfg, PrinterConfig)
    if width is not None and width != cfg.paper_width_mm:
        cfg = cfg.model_copy(update={"paper_width_mm": width,
                                     "dots_per_line": 384 if width == 58 else 576})
    printer = build_printer(device, cfg)
    printer.poll_interval = min(printer.poll_interval, 0.5)
    printer.start()
    try:
        answered = printer.wait_for(lambda s: s.state != DeviceState.STARTING,
                                    cfg.status_timeout_s * 4 + 3)
        status = printer.status
        if not answered or status.state in (DeviceState.NO_DEVICE, DeviceState.OFFLINE):
            fail(f"{device} ({printer.transport.description}) does not answer: "
                 f"{status.detail or status.state}")
        started = time.monotonic()
        try:
            result = printer.print(document).result(timeout=printer.job_timeout + 30)
        except DeviceError as exc:
            fail(f"{device} did not print: {exc.reason} ({exc})")
        except Exception as exc:
            fail(f"{device} did not print: {type(exc).__name__}: {exc}")
        ctx.emit({"device": device, "printed": True, "document": document.title,
                  "bytes": result.bytes_sent, "seconds": round(time.monotonic() - started, 3),
                  "confirmed_by": result.confirmed_by, "paper": result.paper},
                 f"{device}: printed {document.title} ({result.bytes_sent} bytes, "
                 f"{result.seconds:.2f} s, confirmed by {result.confirmed_by}; "
                 f"paper {result.paper})")
    finally:
        printer.stop()


@print_group.command("test")
@click.option("--device", default="printer", show_default=True, help="Printer config section.")
@pass_ctx
def print_test(ctx: CliContext, device: str) -> None:
    """A test page: Chinese and ASCII text, sizes, a QR code, a small raster, a cut (on a page
    printer: the A4 test page)."""
    _run(ctx, device, test_page(ctx.loaded.config.terminal.name), None)


@print_group.command("receipt")
@click.option("--device", default="printer", show_default=True, help="Printer config section.")
@click.option("--width", type=click.Choice(["58", "80"]), default=None,
              help="Paper width in mm (default: the configured one).")
@pass_ctx
def print_receipt(ctx: CliContext, device: str, width: str | None) -> None:
    """A sample application receipt (受理回执) with number, service, dates and a QR code."""
    _run(ctx, device, sample_receipt(), int(width) if width else None)
