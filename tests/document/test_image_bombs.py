"""Image bombs: every place that decodes an image from outside the terminal (a QR code's image
file, a page's bytes, a camera's still file, the camera emulator's picture) refuses one by the
size its header declares, before decoding. Real crafted PNGs; memory measured in a fresh
process, where a decode that slipped through would show as gigabytes."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.capture import CameraError, FrameSource
from drivers.camera.emulator import CameraEmulator
from drivers.document.page import ImageError
from drivers.document.page_detect import decode_image
from drivers.image_limits import DEFAULT_MAX_PIXELS, ImageRefused, declared_size
from drivers.qr.decode import DecodeError, load_image
from tests.support import png_bomb
from tests.ui.harness import ROOT

# Above our cap, below Pillow's own guard: our check must be the one that stops it. Decoded it
# would be 60 MB of grey, 180 MB of BGR: affordable here if a regression let it through.
SMALL_BOMB = (10_000, 6_000)


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    path.write_bytes(png_bomb(*SMALL_BOMB))
    return path


def test_the_header_is_read_without_decoding(bomb_file: Path) -> None:
    data = bomb_file.read_bytes()
    assert len(data) < 20_000 and SMALL_BOMB[0] * SMALL_BOMB[1] > DEFAULT_MAX_PIXELS
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert declared_size(data) == SMALL_BOMB
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20_000  # KB
    with pytest.raises(ImageRefused) as refused:
        declared_size(b"\x00" * 64 + data)  # no header a reader knows: refused, not guessed
    assert refused.value.reason == "unreadable"


def test_every_decoder_of_outside_images_refuses_the_bomb(bomb_file: Path,
                                                          tmp_path: Path) -> None:
    with pytest.raises(DecodeError, match="declares more than"):
        load_image(bomb_file)  # kiosk qr decode, a code's image file
    with pytest.raises(ImageError) as refused:
        decode_image(bomb_file.read_bytes())  # kiosk scan --image, a page's bytes
    assert refused.value.reason == "too_large"
    still = FrameSource(str(bomb_file))  # a camera configured with a still image
    with pytest.raises(CameraError, match="declares more than"):
        still.open()
    emulator = CameraEmulator(tmp_path)
    with pytest.raises(ValueError, match="declares more than"):
        emulator.show_image(str(bomb_file))


def test_ordinary_images_still_decode(tmp_path: Path) -> None:
    page = np.full((600, 800, 3), 200, np.uint8)
    ok, jpeg = cv2.imencode(".jpg", page)
    assert decode_image(jpeg.tobytes()).shape == (600, 800, 3)
    path = tmp_path / "code.png"
    cv2.imwrite(str(path), page[:, :, 0])
    assert load_image(path).shape == (600, 800)


@pytest.mark.parametrize("call", [
    "from drivers.qr.decode import load_image as f; arg = PATH",
    "from drivers.document.page_detect import decode_image as f; arg = open(PATH, 'rb').read()",
])
def test_a_gigapixel_bomb_costs_no_memory(tmp_path: Path, call: str) -> None:
    """~120 KB declaring 983 M pixels: 1.9 GB (grey) or 5.7 GB (BGR) decoded; refused here
    within a few MB of the bare process (bench/image_bomb_bench.py has the figures)."""
    path = tmp_path / "giga.png"
    path.write_bytes(png_bomb())
    code = (f"PATH = {str(path)!r}\n{call}\n"
            "try:\n    f(arg)\n    print('DECODED')\n"
            "except Exception as e:\n    print('refused', type(e).__name__)\n"
            # VmHWM: this process's own peak (ru_maxrss would count pytest's, forked from)
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
            "print(int(hwm.split()[1]) // 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    verdict, peak_mb = out.stdout.split()[:-1], int(out.stdout.split()[-1])
    assert verdict[0] == "refused", out.stdout + out.stderr
    assert peak_mb < 200, f"peak {peak_mb} MB"
