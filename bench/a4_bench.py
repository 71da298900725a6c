"""A4 certificate, submit -> `completed`: the driver against a bare `lp` to the same CUPS queue.

Run by hand: .venv/bin/python bench/a4_bench.py [--runs N] [--page-seconds S]
A private cupsd (drivers/pageprinter/cupsd.py) with one raw queue to the emulated printer
(ippeveprinter, a `page_seconds` pause per page). For the 1-page and the 3-page certificate
(the reference platform's PDF):
- driver: `PagePrinter.print_pdf(...).result()` — Print-Job, then Get-Job-Attributes and the
  printer's reasons every `check_interval` until `completed` with all impressions;
- lp: `lp -h SERVER -d QUEUE FILE` (a process, as a shell script would), then the same job
  polled over IPP at the same interval until `completed` (lpstat in a loop would measure
  process starts instead).
Median and p90 over the runs, and the ratio driver / lp. Both queue behind nothing: each job
runs alone. For scale, the driver straight to the printer (no cupsd) as a third column.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.pageprinter.cupsd import PrivateCupsd  # noqa: E402
from drivers.pageprinter.emulator import PagePrinterEmulator  # noqa: E402
from drivers.pageprinter.ipp import IppClient, job_state  # noqa: E402
from drivers.pageprinter.printer import PagePrinter  # noqa: E402
from tests.pageprinter.conftest import certificate_pdf  # noqa: E402

CHECK = 0.01


def lp_once(cups: PrivateCupsd, queue_uri: str, pdf: Path) -> float:
    started = time.perf_counter()
    out = subprocess.run(["lp", "-h", cups.server, "-d", "kiosk-a4", str(pdf)],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    job_id = int(re.search(r"kiosk-a4-(\d+)", out).group(1))  # type: ignore[union-attr]
    client = IppClient(queue_uri)
    while job_state(client.job_attributes(job_id, ["job-state"])) != "completed":
        time.sleep(CHECK)
    return time.perf_counter() - started


def driver_once(printer: PagePrinter, pdf: bytes, n: int) -> float:
    started = time.perf_counter()
    printer.print_pdf(pdf, f"bench-{n}-{time.monotonic_ns()}").result(60)
    return time.perf_counter() - started


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--page-seconds", type=float, default=0.1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        emulator = PagePrinterEmulator(Path(tmp), page_seconds=args.page_seconds)
        cups = PrivateCupsd(Path(tmp) / "cups")
        emulator.start()
        try:
            cups.start()
            uri = cups.add_queue("kiosk-a4", emulator.uri)
            printer = PagePrinter("page_printer", uri, poll_interval_s=1.0,
                                  check_interval_s=CHECK)
            printer.start()
            assert printer.wait_for(lambda s: s.usable, 10), printer.status
            direct = PagePrinter("direct", emulator.uri, poll_interval_s=1.0,
                                 check_interval_s=CHECK)
            direct.start()
            assert direct.wait_for(lambda s: s.usable, 10), direct.status
            print(f"emulated printer: {args.page_seconds:.2f} s a page; {args.runs} runs each; "
                  f"private cupsd {cups.server}, raw queue -> {emulator.uri}")
            print(f"{'pages':>5} {'driver med/p90 ms':>20} {'lp med/p90 ms':>18} "
                  f"{'driver/lp':>10} {'no cupsd med ms':>16}")
            for pages in (1, 3):
                data = certificate_pdf(pages)
                path = Path(tmp) / f"certificate-{pages}.pdf"
                path.write_bytes(data)
                driver_once(printer, data, -1)  # warm both paths once
                lp_once(cups, uri, path)
                ours, theirs, straight = [], [], []
                for n in range(args.runs):  # interleaved: drift in load hits all alike
                    ours.append(driver_once(printer, data, n))
                    theirs.append(lp_once(cups, uri, path))
                    straight.append(driver_once(direct, data, n))
                (dm, dp), (lm, lpp) = stats(ours), stats(theirs)
                print(f"{pages:>5} {dm * 1000:>9.0f} /{dp * 1000:>7.0f} "
                      f"{lm * 1000:>9.0f} /{lpp * 1000:>6.0f} {dm / lm:>10.2f} "
                      f"{stats(straight)[0] * 1000:>16.0f}")
            whole = [j for j in emulator.printed() if j["outcome"] == "completed"]
            assert all(j["printed_pages"] == j["pages"] for j in whole)
            print(f"{len(whole)} jobs came out whole, {sum(j['pages'] for j in whole)} pages")
            printer.stop()
            direct.stop()
        finally:
            cups.stop()
            emulator.stop()


if __name__ == "__main__":
    main()
