"""The QR camera's emulator: the shared camera emulator plus "show this code" steering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from drivers.camera.emulator import CameraEmulator
from drivers.qr import synth


class QrCameraEmulator(CameraEmulator):
    def __init__(self, run_dir: Path, name: str = "qr_camera", port: int = 0, fps: float = 10,
                 size: tuple[int, int] = (1920, 1080)):
        super().__init__(run_dir, name=name, port=port, fps=fps, size=size)

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {**super().controls(), "show_code": self.show_code,
                "show_degraded": self.show_degraded}

    def show_code(self, text: str, format: str = "QRCode", encoding: str = "utf-8",
                  module_px: float = 6.0, angle_deg: float = 0.0) -> dict[str, Any]:
        """A code of `text` (stored as `encoding` bytes) held up in front of the camera."""
        code = synth.code_image(text.encode(encoding), format)
        rng = np.random.default_rng(len(text))
        frame = synth.place(code, module_px, synth.scene(rng, self.size), angle_deg=angle_deg,
                            rng=rng)
        self.show_frame(frame)
        return {"shown": format, "chars": len(text)}

    def show_degraded(self, text: str, kind: str = "moire", seed: int = 0) -> dict[str, Any]:
        """A 1920x1080 QR code frame degraded as in the benchmark (glare, moiré, blur...);
        shown as is only when the emulator streams 1920x1080."""
        self.show_frame(synth.degraded_frame(kind, text.encode("utf-8"), seed))
        return {"shown": kind}
