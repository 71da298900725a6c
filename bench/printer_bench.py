"""Sample receipt: ESC/POS text mode vs full raster, 80 and 58 mm.

Run by hand: .venv/bin/python bench/printer_bench.py
Measures bytes, render time (description -> bytes), python-escpos's own raster of the same
picture (the plain library), the serial wire time at 115200 baud computed from the bytes (the
physical floor of a serial printer), and a real end-to-end job through the driver over a pty
to the emulator (send + job-done confirmation + the emulator's PNG rendering).
"""

from __future__ import annotations

import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escpos.printer import Dummy  # noqa: E402

from drivers.printer.document import (Cut, Document, Image, paper_for, render_escpos,  # noqa: E402
                                      to_full_raster, to_picture)
from drivers.printer.emulator import PrinterEmulator  # noqa: E402
from drivers.printer.printer import ThermalPrinter  # noqa: E402
from drivers.printer.samples import sample_receipt  # noqa: E402
from drivers.printer.transport import SerialTransport  # noqa: E402

BAUD = 115200
RUNS = 15


def median_ms(fn, runs: int = RUNS) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def wire_ms(nbytes: int) -> float:
    return nbytes * 10 / BAUD * 1000


def escpos_plain_raster(width: int) -> bytes:
    """The plain library's way to print the same picture: python-escpos image() + cut."""
    picture = to_picture(sample_receipt(), paper_for(width))
    d = Dummy()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a profile warning per image
        d.image(picture, impl="bitImageRaster")
    d.cut()
    return d.output


def job_ms(printer: ThermalPrinter, doc: Document, tag: str, runs: int = 5) -> float:
    times = []
    for i in range(runs):
        t = time.perf_counter()
        printer.print(doc, f"{tag}-{i}").result(60)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    doc = sample_receipt()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        emu = PrinterEmulator(Path(tmp), paper_width_mm=80, baudrate=BAUD)
        emu.start()
        try:
            for width in (80, 58):
                paper = paper_for(width)
                prn = ThermalPrinter("printer", SerialTransport(emu.endpoints()["pty"], BAUD),
                                     paper_width_mm=width, poll_interval_s=5.0)
                prn.start()
                assert prn.wait_for(lambda s: s.usable, 3.0), prn.status
                raster_doc = Document((Image(to_picture(doc, paper)), Cut(0)))
                try:
                    for mode, render, job_doc in (
                            ("text mode", lambda: render_escpos(doc, paper), doc),
                            ("full raster", lambda: to_full_raster(doc, paper), raster_doc),
                            ("python-escpos image()", lambda: escpos_plain_raster(width), None)):
                        ms, data = median_ms(render, RUNS if mode == "text mode" else 5)
                        assert isinstance(data, bytes)
                        job = job_ms(prn, job_doc, f"{width}{mode}") if job_doc else None
                        rows.append((width, mode, len(data), ms, wire_ms(len(data)), job))
                finally:
                    prn.stop()
        finally:
            emu.stop()
    print(f"Sample receipt (受理回执); wire ms = serial time at {BAUD} baud 8N1 computed from bytes")
    print("(the physical floor); job ms = measured driver print() over a pty to the emulator,")
    print(f"which takes bytes in at {BAUD} baud, until the printer's job-done answer (GS ( H),")
    print(f"including status checks and the emulator drawing the PNG; medians of {RUNS}/5 runs")
    print(f"{'mm':>3} {'rendering':<22} {'bytes':>8} {'x text':>7} {'render ms':>10} "
          f"{'wire ms':>9} {'job ms':>8} {'x text':>7}")
    text = {w: (b, j) for w, m, b, _, _, j in rows if m == "text mode"}
    for width, mode, nbytes, ms, wire, job in rows:
        ratio = nbytes / text[width][0]
        job_s = f"{job:8.1f}" if job else f"{'-':>8}"
        job_ratio = f"{job / text[width][1]:7.1f}" if job else f"{'-':>7}"
        print(f"{width:>3} {mode:<22} {nbytes:>8} {ratio:>7.1f} {ms:>10.2f} {wire:>9.1f} "
              f"{job_s} {job_ratio}")
    for width in (80, 58):
        r = {m: (b, ms, wire) for w, m, b, ms, wire, _ in rows if w == width}
        t_total = r["text mode"][1] + r["text mode"][2]
        f_total = r["full raster"][1] + r["full raster"][2]
        print(f"{width} mm on a 115200-baud line: text mode {t_total:.1f} ms (render+wire) vs "
              f"full raster {f_total:.1f} ms = {f_total / t_total:.1f}x")
    for width in (80, 58):
        r = {m: (wire, job) for w, m, _, _, wire, job in rows if w == width}
        print(f"{width} mm measured job / wire floor: text {r['text mode'][1] / r['text mode'][0]:.2f}x, "
              f"full raster {r['full raster'][1] / r['full raster'][0]:.2f}x")


if __name__ == "__main__":
    main()
