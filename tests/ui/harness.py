"""The citizen app under a real X server, driven through its UI driver.

The pieces live in `kiosk.demo` (the headless demo and the benchmarks use them too); this
module keeps the names the UI tests import.
"""

from __future__ import annotations

from kiosk.demo.app_process import DEVICE_SECTIONS, ROOT, AppProcess, KioskUi
from kiosk.demo.xvfb import SIZE, Xvfb

__all__ = ["DEVICE_SECTIONS", "ROOT", "SIZE", "AppProcess", "KioskUi", "Xvfb"]
