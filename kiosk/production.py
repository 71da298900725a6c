"""Is this a production terminal, and does it carry a virtual card reader?

A virtual reader (vsmartcard's vpcd) turns any host that reaches its port into a card in the
terminal's reader: fine on a developer's machine, a hole on a terminal. "Production" is known by
how the software was installed, not by configuration: systemd/install-runtime.sh marks the venv
it made from the hashed runtime lock (`<venv>/kiosk-production`, root's, read-only to every
unit), so a fleet layer or the UI user cannot switch the check off.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PRODUCTION_MARKER = "kiosk-production"
# Debian's vsmartcard-vpcd: pcscd's reader configuration and the driver it loads.
VPCD_FILES = ("/etc/reader.conf.d/vpcd", "/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VIRTUAL_READER_NAMES = ("Virtual PCD",)


@dataclass(frozen=True)
class InstallReport:
    production: bool
    virtual_readers: tuple[str, ...]  # vpcd's files and readers seen, empty when none

    @property
    def ok(self) -> bool:
        return not (self.production and self.virtual_readers)

    @property
    def line(self) -> str:
        kind = "production" if self.production else "development"
        if not self.virtual_readers:
            return f"install   {kind}, no virtual card reader"
        found = ", ".join(self.virtual_readers)
        if self.production:
            return (f"install   production: VIRTUAL CARD READER PRESENT ({found}): "
                    f"apt-get purge vsmartcard-vpcd")
        return f"install   development, virtual card reader present ({found})"


def is_production(prefix: str | Path | None = None) -> bool:
    return (Path(prefix or sys.prefix) / PRODUCTION_MARKER).is_file()


def virtual_readers(reader_names: Iterable[str],
                    files: Iterable[str | Path] = VPCD_FILES) -> tuple[str, ...]:
    """vpcd's files that exist and the readers whose name is a virtual reader's."""
    found = [str(f) for f in files if Path(f).exists()]
    found += [name for name in reader_names if any(v in name for v in VIRTUAL_READER_NAMES)]
    return tuple(found)


def check_install(reader_names: Iterable[str], *, prefix: str | Path | None = None,
                  files: Iterable[str | Path] = VPCD_FILES) -> InstallReport:
    return InstallReport(is_production(prefix), virtual_readers(reader_names, files))
