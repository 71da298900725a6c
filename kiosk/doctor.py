"""Health of every configured device and of the platform, for `kiosk doctor` and the admin screen."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from drivers.device import DeviceState
from drivers.smartcard.watcher import PcscWatcher, use_pcscd_socket
from kiosk.client import CredentialError, PlatformClient, PlatformError
from kiosk.config import KioskConfig
from kiosk.devices.registry import build_devices
from kiosk.outbox import OutboxError, OutboxKeyError, open_outbox
from kiosk.production import InstallReport, check_install


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
    authenticated: bool
    detail: str

    @property
    def ok(self) -> bool:
        """A platform that cannot be reached is weather (the outbox waits it out); one that
        refuses this terminal's credential is a configuration fault."""
        return self.authenticated or not self.reachable


@dataclass(frozen=True)
class OutboxReport:
    present: bool
    pending: int = 0
    refused: int = 0
    oldest_pending_at: float | None = None
    detail: str = ""


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


def check_platform(config: KioskConfig) -> PlatformReport:
    """Reachable (`/health`, no credential) and then authenticated (the catalogue, with it)."""
    url = config.platform.base_url
    try:
        client = PlatformClient.from_config(config, retries=0)
    except CredentialError as exc:
        return PlatformReport(url, False, False, str(exc))
    with client:
        try:
            health = client.health()
        except PlatformError as exc:
            return PlatformReport(url, False, False, _platform_error(exc))
        try:
            services = client.list_services()
        except PlatformError as exc:
            return PlatformReport(url, True, False, _platform_error(exc))
    return PlatformReport(url, True, True,
                          f"version {health.version}, {len(services)} services")


def _platform_error(exc: PlatformError) -> str:
    return " ".join(filter(None, [type(exc).__name__,
                                  f"HTTP {exc.status}" if exc.status else "", exc.code]))


def check_outbox(config: KioskConfig) -> OutboxReport:
    try:
        outbox = open_outbox(config, create=False)
    except (OutboxError, OutboxKeyError, OSError) as exc:
        return OutboxReport(False, detail=str(exc))
    with outbox:
        stats = outbox.stats()
    return OutboxReport(True, stats.pending, stats.refused, stats.oldest_pending_at,
                        stats.last_error_kind or "")


def pcsc_reader_names(config: KioskConfig) -> list[str]:
    """The readers pcscd lists now; none when pcscd is not there (the device check says so)."""
    try:
        use_pcscd_socket(config.devices.smartcard.pcscd_socket)
        watcher = PcscWatcher()
    except Exception:  # pcscd's troubles are the smart-card device's report, not this one's
        return []
    try:
        watcher.step(0)
        return list(watcher.readers) if watcher.service_ok else []
    except Exception:
        return []
    finally:
        watcher.close()


def check_production(config: KioskConfig) -> InstallReport:
    """A virtual card reader (vpcd's files, or a reader pcscd names "Virtual PCD") on a
    production install is a failure; on a development machine only a note."""
    return check_install(pcsc_reader_names(config))


def as_dict(devices: list[DeviceReport], platform: PlatformReport,
            outbox: OutboxReport, install: InstallReport | None = None) -> dict[str, Any]:
    data = {"devices": [asdict(r) | {"ok": r.ok} for r in devices],
            "platform": asdict(platform) | {"ok": platform.ok},
            "outbox": asdict(outbox),
            "all_devices_ok": all(r.ok for r in devices)}
    if install is not None:
        data["install"] = asdict(install) | {"ok": install.ok}
    return data


def as_table(devices: list[DeviceReport], platform: PlatformReport,
             outbox: OutboxReport, install: InstallReport | None = None) -> str:
    rows = [("DEVICE", "KIND", "STATE", "REASON", "DETAIL")]
    rows += [(r.name, r.kind, r.state, r.reason or "", (r.detail or "")[:60]) for r in devices]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    state = ("authenticated" if platform.authenticated else
             "REFUSES THIS TERMINAL" if platform.reachable else "UNREACHABLE")
    lines.append("")
    lines.append(f"platform  {platform.url}  {state} ({platform.detail})")
    if outbox.present:
        lines.append(f"outbox    {outbox.pending} waiting, {outbox.refused} refused"
                     + (f" (last error {outbox.detail})" if outbox.detail else ""))
    else:
        lines.append(f"outbox    none yet ({outbox.detail})")
    if install is not None:
        lines.append(install.line)
    return "\n".join(lines)
