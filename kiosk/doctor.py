"""Health of every configured device and of the platform, for `kiosk doctor` and the admin screen."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from drivers.device import DeviceState
from kiosk.config import KioskConfig
from kiosk.devices.registry import build_devices


@dataclass(frozen=True)
class DeviceReport:
    name: str
    kind: str
    state: str
    reason: str | None
    detail: str | None
    capabilities: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state in (DeviceState.ONLINE, DeviceState.BUSY)


@dataclass(frozen=True)
class PlatformReport:
    url: str
    reachable: bool
    detail: str


def check_devices(config: KioskConfig, settle_s: float = 6.0) -> list[DeviceReport]:
    """Start every enabled device, wait until each has settled (or `settle_s`), report, stop."""
    devices = build_devices(config)
    for device in devices:
        device.start()
    try:
        # Wait until all are usable; one seen offline on its first try may still come up.
        deadline = time.monotonic() + settle_s
        while time.monotonic() < deadline and not all(d.status.usable for d in devices):
            time.sleep(0.05)
        reports = []
        for d in devices:
            s = d.status
            try:
                caps = dict(d.capabilities)
            except Exception as exc:  # a driver's bug must not hide the others' status
                caps = {"error": str(exc)}
            reports.append(DeviceReport(d.name, d.kind, str(s.state), s.reason, s.detail, caps))
        return reports
    finally:
        for device in devices:
            device.stop()


def check_platform(config: KioskConfig, timeout_s: float = 3.0) -> PlatformReport:
    """Reachability only: any HTTP answer means the network path and TLS work."""
    url = config.platform.base_url
    verify: bool | str = config.platform.ca_bundle or True
    try:
        response = requests.get(url, timeout=min(timeout_s, config.platform.timeout_s),
                                verify=verify)
    except requests.RequestException as exc:
        return PlatformReport(url, False, type(exc).__name__)
    return PlatformReport(url, True, f"HTTP {response.status_code}")


def as_dict(devices: list[DeviceReport], platform: PlatformReport) -> dict[str, Any]:
    return {"devices": [asdict(r) | {"ok": r.ok} for r in devices],
            "platform": asdict(platform),
            "all_devices_ok": all(r.ok for r in devices)}


def as_table(devices: list[DeviceReport], platform: PlatformReport) -> str:
    rows = [("DEVICE", "KIND", "STATE", "REASON", "DETAIL")]
    rows += [(r.name, r.kind, r.state, r.reason or "", (r.detail or "")[:60]) for r in devices]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    state = "reachable" if platform.reachable else "UNREACHABLE"
    lines.append("")
    lines.append(f"platform  {platform.url}  {state} ({platform.detail})")
    return "\n".join(lines)
