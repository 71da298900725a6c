"""Document capture benchmark (run by hand: `.venv/bin/python bench/document_bench.py`).

1. ms per photo at 5 MP and 12 MP: our full pipeline (decode + detect + warp + quality +
   text enhancement) beside the plain-library floor measured in the same run (cv2.imdecode +
   cvtColor alone, and a bare warpPerspective with known corners), as ratios.
2. Corner accuracy: mean Jaccard index of the page quadrilateral (SmartDoc 2015's measure)
   over synthetic desk photos with known corners, plus false pages on empty desks.
3. A scanner job through the driver vs a bare python-sane scan (SANE test backend), and a
   size-bounded PDF vs a plain img2pdf.convert.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.document import enhance, output, page_detect, sane_env, synthetic
from drivers.document.doc_camera import process_frame

SIZES = {"5 MP": (2592, 1944), "12 MP": (4000, 3000)}


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds of `repeat` calls (one warm-up call first)."""
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def bench_speed(photos_per_size: int, repeat: int) -> list[tuple[str, float, float, float, float]]:
    rows = []
    for label, size in SIZES.items():
        decode_ms, warp_ms, detect_ms, full_ms = [], [], [], []
        for seed in range(photos_per_size):
            photo = synthetic.page_photo(100 + seed, size)
            jpeg = output.encode_jpeg(photo.image, 90)  # what a document camera delivers
            frame = page_detect.decode_image(jpeg)
            w, h = enhance.page_size(photo.corners)
            dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
            m = cv2.getPerspectiveTransform(photo.corners, dst)
            decode_ms.append(timed(lambda jpeg=jpeg: cv2.cvtColor(
                cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR),
                cv2.COLOR_BGR2GRAY), repeat))
            warp_ms.append(timed(lambda f=frame, m=m, w=w, h=h: cv2.warpPerspective(f, m, (w, h)),
                                 repeat))
            detect_ms.append(timed(lambda f=frame: page_detect.detect_page(f), repeat))
            full_ms.append(timed(lambda jpeg=jpeg: process_frame(page_detect.decode_image(jpeg),
                                                                 "text"), repeat))
        rows.append((label, statistics.median(decode_ms), statistics.median(warp_ms),
                     statistics.median(detect_ms), statistics.median(full_ms)))
    return rows


def bench_accuracy(n: int, size: tuple[int, int]) -> dict[str, float]:
    scores, misses = [], 0
    for seed in range(n):
        photo = synthetic.page_photo(1000 + seed, size)
        quad = page_detect.detect_page(photo.image)
        if quad is None:
            misses += 1
            scores.append(0.0)
        else:
            scores.append(page_detect.jaccard(quad, photo.corners))
    false_pages = sum(page_detect.detect_page(synthetic.empty_desk(s, size)) is not None
                      for s in range(20))
    return {"n": n, "mean": float(np.mean(scores)), "min": float(np.min(scores)),
            "over_0.9": float(np.mean(np.array(scores) > 0.9)), "missed": misses,
            "false_pages_of_20_empty": false_pages}


def bench_scanner(repeat: int) -> tuple[float, float] | None:
    try:
        import sane
    except ImportError:
        return None
    from drivers.document.scanner import SaneScanner

    conf = sane_env.write_test_config(Path(tempfile.mkdtemp(prefix="bench-sane-")) / "sane")
    sane_env.activate(conf)

    def bare() -> None:
        sane.init()
        dev = sane.open("test:0")
        dev.resolution = 200
        dev.mode = "Gray"
        dev.scan()
        dev.close()
        sane.exit()

    bare_ms = timed(bare, repeat)
    scanner = SaneScanner(device="test:0", sane_config_dir=str(conf), dpi=200, poll_interval=60)
    scanner.start()
    scanner.wait_for(lambda s: s.usable, 10)
    counter = iter(range(10**6))
    driver_ms = timed(lambda: scanner.scan(f"bench-{next(counter)}").result(60), repeat)
    scanner.stop()
    return bare_ms, driver_ms


def bench_pdf(repeat: int) -> tuple[float, float]:
    pages = [cv2.cvtColor(synthetic.render_text_page(1654, s), cv2.COLOR_BGR2GRAY)
             for s in range(3)]  # A4 at 200 dpi
    jpegs = [output.encode_jpeg(p, 85) for p in pages]
    import img2pdf

    plain = timed(lambda: img2pdf.convert(jpegs), repeat)
    ours = timed(lambda: output.build_pdf(pages, 85, 8_000_000), repeat)
    return plain, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=3, help="photos per size for timing")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per photo")
    parser.add_argument("--accuracy", type=int, default=50, help="photos for the Jaccard index")
    args = parser.parse_args()

    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads; median ms per photo")
    print(f"{'size':>6} | {'decode floor':>12} | {'bare warp':>9} | {'detect':>7} | "
          f"{'full pipeline':>13} | {'full/decode':>11} | {'full/(decode+warp)':>18}")
    for label, dec, warp, det, full in bench_speed(args.photos, args.repeat):
        print(f"{label:>6} | {dec:12.1f} | {warp:9.1f} | {det:7.1f} | {full:13.1f} | "
              f"{full / dec:10.2f}x | {full / (dec + warp):17.2f}x")

    print()
    for label, size in (("1080p", (1920, 1080)), ("5 MP", SIZES["5 MP"])):
        acc = bench_accuracy(args.accuracy, size)
        print(f"corner accuracy {label}: mean Jaccard {acc['mean']:.4f} over {acc['n']} photos "
              f"(min {acc['min']:.4f}, {acc['over_0.9']:.0%} > 0.9, {acc['missed']} missed); "
              f"false pages on empty desks: {acc['false_pages_of_20_empty']}/20")

    print()
    scan = bench_scanner(args.repeat)
    if scan is None:
        print("scanner: python-sane not installed, skipped")
    else:
        bare, driver = scan
        print(f"scanner 1 page 200 dpi Gray (SANE test backend): bare python-sane {bare:.1f} ms, "
              f"driver job {driver:.1f} ms ({driver / bare:.2f}x)")
    plain, ours = bench_pdf(args.repeat)
    print(f"PDF of 3 A4 pages at 200 dpi: img2pdf.convert of ready JPEGs {plain:.1f} ms, "
          f"build_pdf incl. JPEG encoding {ours:.1f} ms ({ours / plain:.1f}x)")


if __name__ == "__main__":
    main()
