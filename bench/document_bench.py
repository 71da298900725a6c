"""Document capture benchmark (run by hand: `.venv/bin/python bench/document_bench.py`).

1. ms per photo at 5 MP and 12 MP: our full pipeline (decode + detect + warp + quality +
   text enhancement) beside the plain-library floor measured in the same run (cv2.imdecode +
   cvtColor alone, and a bare warpPerspective with known corners), as ratios.
2. Corner accuracy per class, ours beside the textbook recipe (Canny + largest 4-point
   approxPolyDP) in the same run: mean Jaccard index of the page quadrilateral (SmartDoc
   2015's measure), share of photos >= 0.95, pages missed, false pages on empty desks. On the
   hard set of issue 18 (drivers/document/hard_synthetic.py: pale paper on a pale desk, ID
   cards and A5 sheets filling a few percent, ordinary pages; 5-12 MP; held-out seeds) and on
   our first set (synthetic.page_photo, 1080p and 5 MP).
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

from drivers.document import enhance, hard_synthetic, output, page_detect, sane_env, synthetic
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


def textbook_detect(image: np.ndarray) -> np.ndarray | None:
    """The recipe every tutorial gives: 500 px high, blur, Canny(75, 200), the largest contour
    that approxPolyDP(2 % of its perimeter) makes a quadrilateral."""
    scale = 500 / image.shape[0]
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0), 75, 200)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4:
            return page_detect.order_corners(approx.reshape(4, 2) / scale)
    return None


DETECTORS = {"ours": page_detect.detect_page, "Canny+approxPolyDP": textbook_detect}


def accuracy_table(title: str, kinds: tuple[str, ...], case, n: int) -> None:  # type: ignore[no-untyped-def]
    """One row per class and detector; `case(kind, i)` gives (photo, corners or None)."""
    print(f"\n{title}: {n} photos per class")
    print(f"{'class':14} {'detector':20} {'mean J':>7} {'>=0.95':>7} {'min J':>6} {'missed':>7} "
          f"{'false':>6} {'median ms':>9}")
    overall: dict[str, list[float]] = {name: [] for name in DETECTORS}
    for kind in (*kinds, "empty"):
        rows: dict[str, tuple[list[float], int, int, list[float]]] = {
            name: ([], 0, 0, []) for name in DETECTORS}
        for i in range(n):
            image, corners = case(kind, i)
            for name, detect in DETECTORS.items():
                scores, missed, false, times = rows[name]
                started = time.perf_counter()
                quad = detect(image)
                times.append((time.perf_counter() - started) * 1000)
                if corners is None:
                    false += quad is not None
                else:
                    scores.append(0.0 if quad is None else page_detect.jaccard(quad, corners))
                    missed += quad is None
                rows[name] = (scores, missed, false, times)
        for name, (scores, missed, false, times) in rows.items():
            overall[name].extend(scores)
            if scores:
                print(f"{kind:14} {name:20} {np.mean(scores):7.4f} {np.mean(np.array(scores) >= 0.95):7.0%} "
                      f"{np.min(scores):6.3f} {missed:>4}/{n:<3}{'':>6} {statistics.median(times):9.0f}")
            else:
                print(f"{kind:14} {name:20} {'':>7} {'':>7} {'':>6} {'':>7} {false:>3}/{n:<3}"
                      f"{statistics.median(times):9.0f}")
    for name, scores in overall.items():
        print(f"{'all pages':14} {name:20} {np.mean(scores):7.4f} "
              f"{np.mean(np.array(scores) >= 0.95):7.0%} {np.min(scores):6.3f}")


def hard_case(kind: str, i: int) -> tuple[np.ndarray, np.ndarray | None]:
    return hard_synthetic.hard_photo(kind, hard_synthetic.HELD_OUT_SEED + i)


def old_case(kind: str, i: int) -> tuple[np.ndarray, np.ndarray | None]:
    size = (1920, 1080) if kind == "photo_1080p" else SIZES["5 MP"]
    if kind == "empty":
        return synthetic.empty_desk(i, (1920, 1080) if i % 2 else SIZES["5 MP"]), None
    photo = synthetic.page_photo(1000 + i, size)
    return photo.image, photo.corners


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
    parser.add_argument("--accuracy", type=int, default=20, help="photos per class (Jaccard)")
    parser.add_argument("--skip-devices", action="store_true", help="no scanner/PDF timing")
    args = parser.parse_args()

    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads; median ms per photo")
    print(f"{'size':>6} | {'decode floor':>12} | {'bare warp':>9} | {'detect':>7} | "
          f"{'full pipeline':>13} | {'full/decode':>11} | {'full/(decode+warp)':>18}")
    for label, dec, warp, det, full in bench_speed(args.photos, args.repeat):
        print(f"{label:>6} | {dec:12.1f} | {warp:9.1f} | {det:7.1f} | {full:13.1f} | "
              f"{full / dec:10.2f}x | {full / (dec + warp):17.2f}x")

    accuracy_table("Hard set (issue 18, held-out seeds, 5/8/12 MP)", hard_synthetic.HARD_KINDS,
                   hard_case, args.accuracy)
    accuracy_table("Old set (synthetic.page_photo)", ("photo_1080p", "photo_5mp"), old_case,
                   args.accuracy)

    if args.skip_devices:
        return
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
