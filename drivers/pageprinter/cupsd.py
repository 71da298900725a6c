"""A private CUPS scheduler for tests and benches: its own ServerRoot, spool and port.

Nothing of the machine's CUPS is touched (no /etc/cups change, no system queue): `cupsd -f -c
-s` reads only the two files written here. cupsd refuses to run its filters as root, so the
`lp` account owns the spool. Queues are raw (the PDF goes to the printer unchanged, as an IPP
Everywhere printer takes PDF); CUPS 2.4 warns that raw queues are deprecated, and `-m
everywhere` would need a printer that speaks PWG raster.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from drivers.pageprinter.emulator import free_port
from drivers.pageprinter.ipp import IppClient

CUPSD_CONF = """Listen 127.0.0.1:{port}
LogLevel info
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
FILES_CONF = """User {user}
Group {group}
SystemGroup root
ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
Sandboxing Relaxed
"""


def cupsd_present() -> bool:
    return all(shutil.which(t) for t in ("cupsd", "lpadmin", "lp"))


class PrivateCupsd:
    def __init__(self, root: Path, user: str = "lp"):
        self.root = Path(root)
        self.port = free_port()
        self.user = user
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    def queue_uri(self, name: str) -> str:
        return f"ipp://{self.server}/printers/{name}"

    def start(self) -> None:
        account = pwd.getpwnam(self.user)
        self.root.mkdir(parents=True, exist_ok=True)
        for up in (self.root, self.root.parent):  # cupsd's user must reach its files
            up.chmod(up.stat().st_mode | 0o055)
        for sub in ("etc", "spool/tmp", "cache", "state", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("spool", "spool/tmp", "cache", "state", "log"):
            os.chown(self.root / sub, account.pw_uid, account.pw_gid)
        (self.root / "etc/cupsd.conf").write_text(CUPSD_CONF.format(port=self.port))
        (self.root / "etc/cups-files.conf").write_text(FILES_CONF.format(
            user=self.user, group=self.user, root=self.root))
        self._proc = subprocess.Popen(
            ["cupsd", "-f", "-c", str(self.root / "etc/cupsd.conf"),
             "-s", str(self.root / "etc/cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while subprocess.run(["lpstat", "-h", self.server, "-r"], capture_output=True,
                             text=True).stdout.strip() != "scheduler is running":
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private cupsd did not start; see {self.root / 'log'}")
            time.sleep(0.05)

    def add_queue(self, name: str, device_uri: str) -> str:
        """A raw queue to `device_uri`; its IPP URI for the driver."""
        subprocess.run(["lpadmin", "-h", self.server, "-p", name, "-E", "-v", device_uri,
                        "-m", "raw"], check=True, capture_output=True, timeout=30)
        IppClient(self.queue_uri(name)).printer_attributes(["printer-state"])
        return self.queue_uri(name)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        self._proc = None
