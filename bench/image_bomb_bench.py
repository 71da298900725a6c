"""Peak memory of an image bomb: a ~120 KB PNG declaring ~1 G pixels, decoded as the terminal
decoded outside images before (plain `cv2.imdecode`, the pixel cap checked on the result) and
as it does now (drivers.image_limits: refused by the header's size before decoding).
Each in a fresh process; the figure is its peak RSS (VmHWM).

    .venv/bin/python bench/image_bomb_bench.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import png_bomb  # noqa: E402

CASES = {
    "before: cv2.imdecode, then the cap": (
        "import cv2, numpy as np\n"
        "img = cv2.imdecode(np.fromfile(PATH, np.uint8), cv2.IMREAD_UNCHANGED)\n"
        "print('decoded', img.shape)\n"),
    "before: cv2.imdecode as BGR (page, camera still)": (
        "import cv2, numpy as np\n"
        "img = cv2.imdecode(np.fromfile(PATH, np.uint8), cv2.IMREAD_COLOR)\n"
        "print('decoded', img.shape)\n"),
    "now: drivers.qr.decode.load_image": (
        "from drivers.qr.decode import load_image, DecodeError\n"
        "try:\n    load_image(PATH)\nexcept DecodeError as e:\n    print('refused:', e)\n"),
    "now: page_detect.decode_image": (
        "from drivers.document.page_detect import decode_image\n"
        "from drivers.document.page import ImageError\n"
        "try:\n    decode_image(open(PATH, 'rb').read())\n"
        "except ImageError as e:\n    print('refused:', e.reason)\n"),
    "baseline: the same imports, no image": (
        "import cv2, numpy as np\nimport drivers.qr.decode, drivers.document.page_detect\n"),
}
PEAK = ("\nhwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print('peak_mb', int(hwm.split()[1]) // 1024)\n")  # this process's own peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.png"
        path.write_bytes(png_bomb())
        print(f"bomb: {path.stat().st_size // 1024} KB declaring 32768 x 30000 pixels")
        for name, code in CASES.items():
            out = subprocess.run([sys.executable, "-c", f"PATH = {str(path)!r}\n" + code + PEAK],
                                 cwd=ROOT, capture_output=True, text=True, timeout=300)
            lines = (out.stdout + out.stderr).strip().splitlines()
            print(f"{name:<52} {' | '.join(lines[-2:])}")


if __name__ == "__main__":
    main()
