"""Second-chance image passes on the part of a frame that may hold a code (pure numpy/OpenCV).

Used by decode.py only after the whole-frame pass found nothing. Two kinds of frame fail
there (issue 18, measured on drivers/qr/hard_synth.py):
- dense codes (version 10+) at 3-4 px per module under defocus blur: zxing does not even
  locate them. A Wiener deconvolution of the code's region with a Gaussian PSF (sigma 2 px)
  restores modules that blur had merged.
- phone screens: the LCD's dark pixel grid aliases into moiré and a glare blob washes the
  middle out. A 2x upscale, a grey closing (removes thin dark grid lines, keeps black modules)
  and a local contrast normalisation (undoes the glare) bring them back.
Where zxing located a symbol it could not decode, that box is the region; otherwise regions
come from a cheap texture map (gradient energy at 1/4 scale): codes are the densest texture,
and square. Print clutter is dense texture too, so the screen passes (the costly ones) run
only on a region that shows QR finder patterns (`finder_patterns`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height in frame pixels

TEXTURE_SCALE = 4  # the texture map is computed at 1/4 resolution
MIN_BOX = 48  # frame px: a version-1 code at 1.6 px/module with its quiet zone
MAX_REGIONS = 3  # texture regions tried per frame (bounds the cost on a cluttered scene)
MAX_REGION_SIDE = 900  # frame px; larger regions are not a code in a 1080p frame worth a retry
MAX_ASPECT = 1.4  # a code is square: its box under tilts a camera allows is not longer than this
WIENER_SIGMA = 2.0  # px; measured: reads sigma 1-2.2 blur at 3-4 px/module (k below)
WIENER_K = 0.003
FINDER_BLOCK, FINDER_C = 31, 5  # adaptive threshold of the finder-pattern test (px, grey levels)
MIN_FINDER_AREA = 100.0  # px^2: 7 modules at 1.4 px
MAX_FINDER_SIDE = 200  # px: 7 modules at 28 px


def texture_regions(grey: np.ndarray) -> list[Box]:
    """Up to MAX_REGIONS boxes of dense, square-ish texture, strongest first."""
    small = cv2.resize(grey, None, fx=1 / TEXTURE_SCALE, fy=1 / TEXTURE_SCALE,
                       interpolation=cv2.INTER_AREA).astype(np.float32)
    energy = np.abs(cv2.Sobel(small, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(small, cv2.CV_32F, 0, 1))
    energy = cv2.boxFilter(energy, -1, (9, 9))
    # the 97th percentile from a 1-in-9 sample: the same threshold at a tenth of the cost
    threshold = max(40.0, 0.5 * float(np.percentile(energy[::3, ::3], 97)))
    mask = (energy > threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, ltype=cv2.CV_16U)
    scored = []
    for i in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[i])
        s = TEXTURE_SCALE
        if min(w, h) * s < MIN_BOX or max(w, h) * s > MAX_REGION_SIDE or max(w, h) > 3 * min(w, h):
            continue
        inside = labels[y:y + h, x:x + w] == i
        strength = float(energy[y:y + h, x:x + w][inside].sum())  # mean energy x area
        scored.append((strength, (x * s, y * s, w * s, h * s)))
    scored.sort(reverse=True)
    return [box for _, box in scored[:MAX_REGIONS]]


def finder_patterns(region: np.ndarray) -> int:
    """How many QR finder patterns (a dark square ring around a dark core, nested 7:5:3)
    the region shows: the evidence of a code that gates the costly passes, so that a frame
    of print clutter without a code costs little more than the first pass. Looked for on a
    lightly blurred copy: a phone screen's pixel grid breaks the rings up otherwise."""
    smooth = cv2.GaussianBlur(region, (0, 0), 1.0)
    dark = cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 FINDER_BLOCK, FINDER_C)
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return 0
    links = hierarchy[0]
    found = 0
    for i, outer in enumerate(contours):
        hole = links[i][2]
        core = links[hole][2] if hole >= 0 else -1
        if core < 0:
            continue
        a_outer, a_hole = cv2.contourArea(outer), cv2.contourArea(contours[hole])
        a_core = cv2.contourArea(contours[core])
        if a_outer < MIN_FINDER_AREA or a_core <= 0 or not 2.5 < a_outer / a_core < 12 \
                or not 1.3 < a_outer / max(a_hole, 1.0) < 4.5:
            continue
        _, _, w, h = cv2.boundingRect(outer)
        if max(w, h) <= 2.2 * min(w, h) and max(w, h) <= MAX_FINDER_SIDE:
            found += 1
    return found


def square(box: Box) -> bool:
    """Could this box hold a (square) matrix code seen at a slant? Text blocks are mostly not."""
    _, _, w, h = box
    return max(w, h) <= MAX_ASPECT * min(w, h)


def box_of(corners: Sequence) -> Box:  # type: ignore[type-arg]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    return int(min(xs)), int(min(ys)), int(max(xs) - min(xs)) + 1, int(max(ys) - min(ys)) + 1


def crop(grey: np.ndarray, box: Box, margin: float = 0.2) -> tuple[np.ndarray, tuple[int, int]]:
    """The box grown by `margin` of its larger side (the quiet zone and finder patterns a
    located box may have cut), clipped to the frame; and its top-left in the frame."""
    x, y, w, h = box
    m = int(margin * max(w, h)) + 4
    x0, y0 = max(0, x - m), max(0, y - m)
    x1, y1 = min(grey.shape[1], x + w + m), min(grey.shape[0], y + h + m)
    return grey[y0:y1, x0:x1], (x0, y0)


def wiener(grey: np.ndarray, sigma: float = WIENER_SIGMA, k: float = WIENER_K) -> np.ndarray:
    """Deconvolve a Gaussian blur of `sigma` px (Wiener filter, noise-to-signal ratio k).

    OpenCV's DFT on a size that factors well (the region mirrored out to it): numpy's FFT
    took 10x as long, on a prime side 40x."""
    h, w = grey.shape
    ph, pw = cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w)
    f = cv2.copyMakeBorder(grey, 0, ph - h, 0, pw - w, cv2.BORDER_REFLECT).astype(np.float32)
    spectrum = cv2.dft(f, flags=cv2.DFT_COMPLEX_OUTPUT)
    spectrum *= _wiener_gain(ph, pw, sigma, k)[..., None]  # the same on both channels
    out = cv2.idft(spectrum, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)[:h, :w]
    return np.clip(out, 0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=16)
def _wiener_gain(h: int, w: int, sigma: float, k: float) -> np.ndarray:
    """The filter for an h x w spectrum (the Gaussian's transfer function is separable)."""
    a = -2 * np.pi ** 2 * sigma ** 2
    otf = np.outer(np.exp(a * np.fft.fftfreq(h) ** 2), np.exp(a * np.fft.fftfreq(w) ** 2))
    return (otf / (otf * otf + k)).astype(np.float32)


def screen_cleaned(grey: np.ndarray, glare_scale: float) -> np.ndarray:
    """2x upscale, grey closing against the LCD grid, local contrast normalisation against
    glare (`glare_scale`: Gaussian sigma of the local mean, in original px)."""
    up = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    closed = cv2.morphologyEx(up, cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))).astype(np.float32)
    mean = _smooth(closed, 2 * glare_scale)
    spread = np.sqrt(_smooth((closed - mean) ** 2, 2 * glare_scale))
    return np.clip((closed - mean) / np.maximum(spread, 2.0) * 50 + 128, 0, 255).astype(np.uint8)


def _smooth(image: np.ndarray, sigma: float) -> np.ndarray:
    """About a Gaussian of `sigma`: two box filters (constant cost per pixel at any sigma,
    where cv2.GaussianBlur at sigma 32 took ~100 ms on a 1 MP region)."""
    k = max(3, int(round(sigma * 1.7)) | 1)
    return cv2.blur(cv2.blur(image, (k, k)), (k, k))


def screen_variants(region: np.ndarray) -> Iterator[tuple[str, np.ndarray, float]]:
    """(pass name, image, scale of image px per region px), cheapest and likeliest first."""
    yield "screen", screen_cleaned(region, 8.0), 2.0
    yield "screen_wide", screen_cleaned(region, 16.0), 2.0
