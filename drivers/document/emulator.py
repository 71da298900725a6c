"""Emulators for document capture: a document camera showing synthetic page photos, and SANE's
virtual test scanner steered through its config file.

DocumentEmulator wraps drivers.camera's CameraEmulator (MJPEG over HTTP, opened by the driver
with cv2.VideoCapture) and shows generated desk photos with known page corners.
ScannerEmulator owns a project-local SANE config dir (run_dir/sane) for the `test` backend;
its steering (jam, empty feeder, cover open) rewrites test.conf, which the backend reads at the
driver's next SANE initialisation (the driver re-initialises for every probe and job). Limit:
the condition applies to a whole job, not from page k on; the test backend's ADF empties after
10 pages, which is how a job breaking midway is exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from drivers.camera.emulator import CameraEmulator
from drivers.document import sane_env, synthetic
from drivers.emulation.base import Emulator


class DocumentEmulator(Emulator):
    def __init__(self, run_dir: Path, name: str = "doc_camera", port: int = 0, fps: float = 10,
                 size: tuple[int, int] = (1920, 1080)):
        self.run_dir = Path(run_dir)
        self.name = name
        self.size = (int(size[0]), int(size[1]))
        self.camera = CameraEmulator(self.run_dir, name=name, port=port, fps=fps, size=self.size)
        self.corners: np.ndarray | None = None  # ground truth of the page shown, if synthetic

    def start(self) -> None:
        self.camera.start()
        self.remove_page()

    def stop(self) -> None:
        self.camera.stop()

    def endpoints(self) -> dict[str, Any]:
        return {**self.camera.endpoints(), "size": list(self.size),
                "corners": None if self.corners is None else self.corners.tolist()}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"place_page": self.place_page, "remove_page": self.remove_page,
                "blur": self.blur, "silent": self.camera.silent, "unplug": self.camera.unplug,
                "replug": self.camera.replug}

    # ---- steering -----------------------------------------------------------------------

    def place_page(self, seed: int = 0, path: str | None = None) -> dict[str, Any]:
        """Put a page under the camera: a synthetic photo (seed) or an image file (path)."""
        if path:
            self.corners = None
            return self.camera.show_image(path)
        photo = synthetic.page_photo(int(seed), self.size)
        self.corners = photo.corners
        self.camera.show_frame(photo.image)
        return {"seed": int(seed), "corners": photo.corners.tolist()}

    def remove_page(self, seed: int = 0) -> dict[str, Any]:
        """The empty desk."""
        self.corners = None
        self.camera.show_frame(synthetic.empty_desk(int(seed), self.size))
        return {"page": None}

    def blur(self, seed: int = 0, sigma: float = 6.0) -> dict[str, Any]:
        """A page photographed while moving: the outline is there, the text is smeared."""
        photo = synthetic.page_photo(int(seed), self.size)
        self.corners = photo.corners
        self.camera.show_frame(cv2.GaussianBlur(photo.image, (0, 0), float(sigma)))
        return {"seed": int(seed), "blurred": float(sigma)}


class ScannerEmulator(Emulator):
    """SANE's test backend in a config dir of our own; conditions apply from the next job."""

    DEVICE = "test:0"

    def __init__(self, run_dir: Path, name: str = "scanner"):
        self.run_dir = Path(run_dir)
        self.name = name
        self.config_dir = self.run_dir / "sane"
        self.condition = "ok"
        self.delay_us = 0

    def start(self) -> None:
        sane_env.write_test_config(self.config_dir, self.condition, delay_us=self.delay_us)

    def stop(self) -> None:
        pass  # nothing runs: the backend lives inside the driver's process

    def endpoints(self) -> dict[str, Any]:
        return {"device": self.DEVICE, "sane_config_dir": str(self.config_dir),
                "condition": self.condition, "slow": self.delay_us > 0}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"jam": self.jam, "empty_feeder": self.empty_feeder,
                "cover_open": self.cover_open, "clear": self.clear,
                "set_condition": self.set_condition, "slow": self.slow}

    def set_condition(self, condition: str) -> dict[str, Any]:
        sane_env.write_test_config(self.config_dir, condition, delay_us=self.delay_us)
        self.condition = condition
        return {"condition": condition}

    def slow(self, enabled: bool = True) -> dict[str, Any]:
        """A scanner that crawls (0.2 s per buffer): jobs overrun their deadline."""
        self.delay_us = 200_000 if enabled else 0
        sane_env.write_test_config(self.config_dir, self.condition, delay_us=self.delay_us)
        return {"slow": bool(enabled)}

    def jam(self) -> dict[str, Any]:
        return self.set_condition("jammed")

    def empty_feeder(self) -> dict[str, Any]:
        return self.set_condition("no_docs")

    def cover_open(self) -> dict[str, Any]:
        return self.set_condition("cover_open")

    def clear(self) -> dict[str, Any]:
        self.delay_us = 0
        return self.set_condition("ok")
