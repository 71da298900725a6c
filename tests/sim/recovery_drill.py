"""Unplug every emulated device (and stop pcscd), plug them back, and report what the same,
never restarted driver objects saw. Run as `python -m tests.sim.recovery_drill RUN_DIR`.

A process of its own: pcsc-lite fixes its socket path for the life of a process, and the
simulation's pcscd is not the one the smartcard tests run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from drivers.device import DeviceState, EventKind
from kiosk.config import load_layers
from kiosk.devices.registry import build_devices
from kiosk.sim import Simulation
from tests.support import wait_until

UNPLUG = {"idcard": ("unplug", "replug"), "qr_serial": ("unplug", "replug"),
          "qr_camera": ("unplug", "replug"), "doc_camera": ("unplug", "replug"),
          "printer": ("unplug", "replug"), "smartcard": ("stop_pcscd", "start_pcscd")}
GONE = (DeviceState.OFFLINE, DeviceState.NO_DEVICE)


def wait_all(devices, predicate, timeout: float) -> dict[str, str]:
    wait_until(lambda: all(predicate(d.status) for d in devices), timeout, interval=0.05)
    return {d.name: str(d.status.state) for d in devices}


def main(run_dir: Path) -> dict:
    with Simulation(run_dir) as sim:
        devices = {d.name: d for d in build_devices(load_layers(sim.site_config_path).config)}
        events: list = []
        for d in devices.values():
            d.subscribe(events.append)
            d.start()
        try:
            report: dict = {"started": wait_all(devices.values(), lambda s: s.usable, 15)}
            plugged = [devices[name] for name in UNPLUG]
            for name, (unplug, _) in UNPLUG.items():
                sim.control(name, unplug, {})
            report["unplugged"] = wait_all(plugged, lambda s: s.state in GONE, 20)
            for name, (_, replug) in UNPLUG.items():
                sim.control(name, replug, {})
            report["replugged"] = wait_all(devices.values(), lambda s: s.usable, 20)
            # Back for real, not just a status: a card placed now is read by the same objects.
            sim.control("idcard", "place_card", {"path": "assets/cards/resident.json"})
            sim.control("smartcard", "insert_card", {})
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                seen = {e.device for e in events if e.kind == EventKind.CARD_INSERTED}
                if {"idcard", "smartcard"} <= seen:
                    break
                time.sleep(0.05)
            report["cards_seen_after"] = sorted(
                {e.device for e in events if e.kind == EventKind.CARD_INSERTED})
            return report
        finally:
            for d in devices.values():
                d.stop()


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
