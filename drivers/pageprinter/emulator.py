"""An A4 page printer on the real interface: CUPS's own IPP Everywhere printer.

`ippeveprinter` (Debian's cups-ipp-utils) is a complete IPP printer: Print-Job, Get-Jobs,
Cancel-Job, printer-state-reasons, job-impressions. It keeps every job's PDF (`-k -d DIR`) and
runs `emulator_command.py` as its print engine, which prints page by page and turns the faults
set here (paper out, jam, door open, paper running out after N sheets) into the printer's
`printer-state-reasons` while it holds the job. An idle printer learns a fault through a
zero-page "state" job that only sets its reasons (the job is named `emulator-state` and is not
a print).

ippeveprinter insists on DNS-SD at start even with `-r off`; with no system D-Bus it refuses to
run ("Unable to initialize DNS-SD"). A private `dbus-daemon` (no avahi) is enough: the Avahi
client then waits for a daemon that never comes, and the printer runs. Nothing system-wide is
touched: the bus, the spool and the control files live in the emulator's own directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.emulation.base import Emulator
from drivers.pageprinter import emulator_command
from drivers.pageprinter.ipp import IppClient

STATE_JOB = "emulator-state"
FAULTS = {"paper_out": "media-empty-error", "jam": "media-jam-error",
          "door_open": "cover-open-error"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tools_present() -> bool:
    return all(shutil.which(t) for t in ("ippeveprinter", "dbus-daemon"))


class PagePrinterEmulator(Emulator):
    name = "page_printer"

    def __init__(self, run_dir: Path, *, port: int | None = None, page_seconds: float = 0.2,
                 queue_name: str = "kiosk-a4"):
        self.dir = Path(run_dir) / "page_printer"
        self.spool = self.dir / "spool"
        self.port = port or free_port()
        self.page_seconds = page_seconds
        self.queue_name = queue_name
        self._bus: subprocess.Popen[bytes] | None = None
        self._printer: subprocess.Popen[bytes] | None = None
        self._bus_dir: Path | None = None

    # ---- life ------------------------------------------------------------------------------

    @property
    def uri(self) -> str:
        return f"ipp://127.0.0.1:{self.port}/ipp/print"

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop()  # no orphan bus or printer behind a failed start
            raise

    def _start(self) -> None:
        if not tools_present():
            raise RuntimeError("ippeveprinter/dbus-daemon missing: apt-get install "
                               "cups-ipp-utils dbus")
        self.spool.mkdir(parents=True, exist_ok=True)
        self._write_control(faults=[], countdown=None, page_seconds=self.page_seconds)
        # a socket path holds at most 107 bytes: a deep run folder (pytest's, under xdist)
        # would make dbus-daemon give up at once, so the bus lives in a short folder of its own
        self._bus_dir = Path(tempfile.mkdtemp(prefix="ippbus-"))
        bus_socket = self._bus_dir / "bus"
        self._bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={bus_socket}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(lambda: self._bus_up(bus_socket), "private D-Bus")
        wrapper = self.dir / "engine.sh"
        wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {emulator_command.__file__} "
                           f"{self.dir} \"$@\"\n")
        wrapper.chmod(0o755)
        env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={bus_socket}",
               "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        log = open(self.dir / "ippeveprinter.log", "ab")
        self._printer = subprocess.Popen(
            ["ippeveprinter", "-v", "-k", "-d", str(self.spool), "-c", str(wrapper),
             "-f", "application/pdf", "-p", str(self.port), "-r", "off", "-n", "localhost",
             "-m", "Emulated A4", "-s", "30", self.queue_name],
            stdout=log, stderr=log, env=env, start_new_session=True)
        log.close()
        self._wait(self._answers, "ippeveprinter")
        self._load_paper(250)

    def stop(self) -> None:
        for proc in (self._printer, self._bus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        self._printer = self._bus = None
        if self._bus_dir is not None:
            shutil.rmtree(self._bus_dir, ignore_errors=True)
            self._bus_dir = None

    def _bus_up(self, bus_socket: Path) -> bool:
        if self._bus is not None and self._bus.poll() is not None:
            raise RuntimeError(f"dbus-daemon exited ({self._bus.returncode})")
        return bus_socket.exists()

    def endpoints(self) -> dict[str, Any]:
        return {"uri": self.uri, "spool": str(self.spool), "port": self.port}

    def _answers(self) -> bool:
        if self._printer is not None and self._printer.poll() is not None:
            raise RuntimeError(f"ippeveprinter exited ({self._printer.returncode}); see "
                               f"{self.dir / 'ippeveprinter.log'}")
        try:
            IppClient(self.uri, timeout_s=0.5).printer_attributes(["printer-state"])
            return True
        except OSError:
            return False

    @staticmethod
    def _wait(ready: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start within {timeout:.0f} s")
            time.sleep(0.02)

    # ---- steering --------------------------------------------------------------------------

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"paper_out": self.paper_out, "jam": self.jam, "door_open": self.door_open,
                "paper_after": self.paper_after, "fault_after": self.fault_after,
                "set_page_seconds": self.set_page_seconds, "fix": self.fix, "go_silent": self.go_silent,
                "wake": self.wake, "printed": self.printed}

    def paper_out(self) -> None:
        self._load_paper(0)
        self._set_fault("paper_out")

    def jam(self) -> None:
        self._set_fault("jam")

    def door_open(self) -> None:
        self._set_fault("door_open")

    def paper_after(self, sheets: int) -> None:
        """Only `sheets` more pages come out, then the tray is empty (mid-job if one runs)."""
        self.fault_after(sheets, "paper_out")

    def fault_after(self, sheets: int, fault: str) -> None:
        """`fault` (paper_out, jam, door_open) strikes once `sheets` more pages are out."""
        self._write_control(countdown=int(sheets), countdown_fault=FAULTS[fault])

    def set_page_seconds(self, seconds: float) -> None:
        """How long a page takes (a slower printer leaves time to act mid-job)."""
        self._write_control(page_seconds=float(seconds))

    def fix(self) -> None:
        """Paper reloaded, jam cleared, door shut: a held job carries on."""
        self._write_control(faults=[], countdown=None)
        self._load_paper(250)
        self._sync_state()

    def go_silent(self) -> None:
        """The printer stops answering (powered off, cable out): SIGSTOP, not an exit."""
        if self._printer is not None:
            os.kill(self._printer.pid, signal.SIGSTOP)

    def wake(self) -> None:
        if self._printer is not None:
            os.kill(self._printer.pid, signal.SIGCONT)

    def printed(self) -> list[dict[str, Any]]:
        """Every job the engine ran (state jobs excluded): job_id, job_name, file (in the
        spool), pages, printed_pages, outcome (completed | canceled)."""
        try:
            lines = (self.dir / "printed.jsonl").read_text().splitlines()
        except FileNotFoundError:
            return []
        return [row for row in map(json.loads, lines) if row.get("job_name") != STATE_JOB]

    def spooled(self, job_id: int | str) -> Path:
        """The PDF a job sent (ippeveprinter keeps it as `<id>-<name>.pdf`)."""
        return next(self.spool.glob(f"{job_id}-*.pdf"))

    # ---- internals -------------------------------------------------------------------------

    def _control(self) -> dict[str, Any]:
        try:
            return json.loads((self.dir / "control.json").read_text())
        except (OSError, ValueError):
            return {}

    def _write_control(self, **changes: Any) -> None:
        data = {**self._control(), **changes}
        tmp = self.dir / "control.json.tmp"
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.dir / "control.json")

    def _set_fault(self, kind: str) -> None:
        faults = set(self._control().get("faults", []))
        faults.add(FAULTS[kind])
        self._write_control(faults=sorted(faults))
        self._sync_state()

    def _load_paper(self, sheets: int) -> None:
        """ippeveprinter's own tray form (/media): A4 in every tray, `sheets` of it. An empty
        tray is `media-empty`, and ippeveprinter then holds any new job until it is filled."""
        query = "&".join(f"size{i}=iso_a4_210x297mm&level{i}={sheets}" for i in (1, 3))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/media?{query}",
                                        timeout=2.0) as reply:
                reply.read()
        except OSError:
            pass  # silent: the engine still holds a running job on the control file

    def _sync_state(self) -> None:
        """An idle printer's reasons follow the faults: a state job (no pages) sets them."""
        faults = self._control().get("faults", [])
        if "media-empty-error" in faults:
            return  # ippeveprinter would hold the state job itself until paper is loaded
        payload = ("%PDF-1.4\n% emulator-state " + json.dumps(faults) + "\n").encode()
        client = IppClient(self.uri, timeout_s=2.0)
        try:
            if client.printer_attributes(["printer-state"]).get("printer-state") != "idle":
                return  # a job runs: its engine reports the faults itself
            job = client.print_job(payload, STATE_JOB, "application/pdf")
        except OSError:
            return  # silent or busy: the running job's engine reports the faults itself
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            try:
                attrs = client.job_attributes(int(job["job-id"]), ["job-state"])
            except OSError:
                return
            if attrs.get("job-state") in ("completed", "aborted", "canceled"):
                return
            time.sleep(0.02)


def read_back(pdf: Path, dpi: int = 100) -> dict[str, Any]:
    """What a person holding the printed pages sees: page count and every QR code on them
    (pages rendered by poppler's pdftoppm, codes read by zxing-cpp)."""
    import tempfile

    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf),
                        f"{tmp}/page"], check=True, capture_output=True, timeout=60)
        pages = sorted(Path(tmp).glob("page*.png"))
        codes = [r.text for p in pages for r in zxingcpp.read_barcodes(Image.open(p))]
    return {"pages": len(pages), "qr": codes}
