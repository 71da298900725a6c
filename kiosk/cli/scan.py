"""`kiosk scan --camera|--scanner --out DIR` and `kiosk scan process IMAGE... --out DIR`."""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

import click

from drivers.device import Device, DeviceEvent, DeviceState, EventKind, new_action_id
from drivers.document import page_detect, quality
from drivers.document.doc_camera import CaptureError, process_frame
from drivers.document.output import PdfTooLarge, encode_jpeg, write_document
from drivers.document.page import ImageError, Page
from drivers.document.scanner import ScanError
from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.devices.document import build_doc_camera, build_scanner

MODES = click.Choice(["text", "gray", "color"])


@click.group("scan", invoke_without_command=True)
@click.option("--camera", "use_camera", is_flag=True, help="Capture from devices.doc_camera.")
@click.option("--scanner", "use_scanner", is_flag=True, help="Scan with devices.scanner.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for page-NNN.jpg and document.pdf.")
@click.option("--pages", default=1, show_default=True, type=click.IntRange(0, 500),
              help="Pages to capture (scanner: 0 = all in the feeder; >1 uses the feeder).")
@click.option("--mode", default="text", show_default=True, type=MODES,
              help="Camera page enhancement: text (binarised), gray, color (photos, IDs).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.5, 3600),
              help="Seconds to wait for the device and the pages.")
@click.pass_context
def scan_group(cctx: click.Context, use_camera: bool, use_scanner: bool, out_dir: Path | None,
               pages: int, mode: str, timeout: float) -> None:
    """Capture a document from the camera or the scanner, or process photos (`scan process`)."""
    if cctx.invoked_subcommand is not None:
        if use_camera or use_scanner:
            fail("--camera/--scanner capture a document; they do not combine with a subcommand")
        return
    ctx = cctx.find_object(CliContext)
    if use_camera == use_scanner:
        fail("choose one of --camera or --scanner (or use `kiosk scan process IMAGE...`)")
    if out_dir is None:
        fail("--out DIR is required")
    config = ctx.loaded.config
    doc_cfg = config.devices.doc_camera
    if use_camera:
        if not doc_cfg.enabled:
            fail("devices.doc_camera is disabled in the configuration")
        got = _camera_pages(build_doc_camera(doc_cfg, mode=mode, auto_capture=pages > 1),
                            max(1, pages), timeout)
        device_name = "doc_camera"
    else:
        if not config.devices.scanner.enabled:
            fail("devices.scanner is disabled in the configuration")
        got = _scanner_pages(ctx, build_scanner(config.devices.scanner), pages, timeout, out_dir,
                             doc_cfg.jpeg_quality, doc_cfg.max_pdf_bytes)
        device_name = "scanner"
    result = _write(got, out_dir, doc_cfg.jpeg_quality, doc_cfg.max_pdf_bytes)
    result["device"] = device_name
    result["issues"] = [[i.code for i in p.issues] for p in got]
    warn = "".join(f"\n  page {n}: {', '.join(i.message for i in p.issues)}"
                   for n, p in enumerate(got, 1) if p.issues)
    ctx.emit(result, f"{len(got)} page(s) from {device_name} -> {result['pdf']} "
                     f"({result['pdf_bytes']} bytes, JPEG quality {result['quality']})" + warn)


def _write(pages: list[Page], out_dir: Path, quality_: int, max_bytes: int) -> dict[str, Any]:
    try:
        return write_document(pages, out_dir, quality_, max_bytes)
    except PdfTooLarge as exc:
        fail(f"{exc} (raise devices.doc_camera.max_pdf_bytes or scan fewer pages)")
    except OSError as exc:
        fail(f"cannot write to {out_dir}: {exc.strerror or exc}")
    raise AssertionError("unreachable")


def _wait_ready(device: Device, timeout: float, where: str) -> None:
    device.wait_for(lambda s: s.state is not DeviceState.STARTING, min(timeout, 15.0))
    s = device.status
    if not s.usable:
        fail(f"{device.name} ({where}) is {s.state}: {s.detail or s.reason}")


def _camera_pages(camera: Any, pages: int, timeout: float) -> list[Page]:
    captured: queue.SimpleQueue[DeviceEvent] = queue.SimpleQueue()
    camera.subscribe(lambda e: captured.put(e)
                     if e.kind is EventKind.PAGE_CAPTURED and e.data.get("auto") else None)
    camera.start()
    try:
        _wait_ready(camera, timeout, camera.source)
        deadline = time.monotonic() + timeout
        got: list[Page] = []
        if pages == 1:  # capture now; if no page is there yet, keep trying until the deadline
            last = "no_page"
            while time.monotonic() < deadline:
                try:
                    return [camera.capture(new_action_id()).result(max(1.0, timeout))]
                except CaptureError as exc:
                    last = exc.reason
                    time.sleep(0.3)
            fail(f"no page captured within {timeout:g} s ({last}): {quality.MESSAGES.get(last, last)}")
        click.echo(f"place {pages} page(s) one after another; each is taken when held still",
                   err=True)
        while len(got) < pages:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"only {len(got)} of {pages} page(s) captured within {timeout:g} s")
            try:
                event = captured.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue
            got.append(event.data["page"])
            click.echo(f"page {len(got)} captured; take it away and place the next", err=True)
        return got
    finally:
        camera.stop()


def _scanner_pages(ctx: CliContext, scanner: Any, pages: int, timeout: float, out_dir: Path,
                   quality_: int, max_bytes: int) -> list[Page]:
    try:
        scanner.start()
        _wait_ready(scanner, timeout, scanner.device or "first SANE device")
        try:
            return scanner.scan(new_action_id(), pages=pages).result(timeout)
        except ScanError as exc:
            kept = ""
            if exc.pages:  # pages read before the failure are real: keep them, say so
                _write(exc.pages, out_dir, quality_, max_bytes)
                kept = f"; the {len(exc.pages)} complete page(s) were written to {out_dir}"
            fail(f"scan failed: {exc.reason} ({exc}){kept}")
        except TimeoutError:
            fail(f"scan did not finish within {timeout:g} s")
    finally:
        scanner.stop()
    raise AssertionError("unreachable")


@scan_group.command("process")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the processed pages (<name>.page.jpg).")
@click.option("--mode", default="text", show_default=True, type=MODES)
@pass_ctx
def process_command(ctx: CliContext, images: tuple[Path, ...], out_dir: Path, mode: str) -> None:
    """Find the page in each photo, print its corners and write the processed page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    for path in images:
        entry: dict[str, Any] = {"image": str(path)}
        try:
            frame = page_detect.decode_image(path.read_bytes())
            page = process_frame(frame, mode)  # type: ignore[arg-type]
            target = out_dir / f"{path.stem}.page.jpg"
            target.write_bytes(encode_jpeg(page.image, 90))
            entry.update(corners=[list(c) for c in page.corners or ()], page=str(target),
                         size=list(page.size), issues=[i.code for i in page.issues])
        except OSError as exc:
            entry["error"] = f"cannot read: {exc.strerror or type(exc).__name__}"
        except ImageError as exc:
            entry["error"] = f"{exc.reason}: {exc}"
        except CaptureError as exc:
            entry["error"] = f"{exc.reason}: {exc}"
        results.append(entry)
    lines = []
    for r in results:
        if "error" in r:
            lines.append(f"{r['image']}: error: {r['error']}")
        else:
            corners = " ".join(f"({x:.0f},{y:.0f})" for x, y in r["corners"])
            issues = f"  [{', '.join(r['issues'])}]" if r["issues"] else ""
            lines.append(f"{r['image']}: corners {corners} -> {r['page']}{issues}")
    ctx.emit({"results": results}, "\n".join(lines))
    if any("error" in r for r in results):
        raise SystemExit(1)
