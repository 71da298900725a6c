"""The terminal's side of remote actions ships without the server side: loading the terminal
with it pulls in neither the console nor the reference platform (nor their web stack), so a
terminal holds no console code and no console key."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_terminal_loads_no_console_or_platform_code() -> None:
    probe = ("import sys, kiosk.terminal, kiosk.remote.service, kiosk.remote.wiring; "
             "print(sorted(m for m in sys.modules if m.startswith("
             "('kiosk.console', 'kiosk.refplatform', 'flask', 'sqlalchemy', 'alembic'))))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert out.strip() == "[]"
