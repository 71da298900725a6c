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


def test_the_console_key_is_private_and_its_printed_half_is_what_terminals_load(
        tmp_path: Path) -> None:
    key_file = tmp_path / "console" / "command-key.pem"
    printed = subprocess.run([sys.executable, "-m", "kiosk.console.signing", str(key_file)],
                             cwd=ROOT, capture_output=True, timeout=120, check=True).stdout
    assert key_file.stat().st_mode & 0o777 == 0o600
    public = tmp_path / "console-command.pub"
    public.write_bytes(printed)
    from kiosk.console.signing import load
    from kiosk.remote.service import load_console_key
    load_console_key(public).verify(load(key_file).sign(b"x"), b"x")  # raises if not the pair
    again = subprocess.run([sys.executable, "-m", "kiosk.console.signing", str(key_file)],
                           cwd=ROOT, capture_output=True, timeout=120, check=True).stdout
    assert again == printed  # made once, never replaced
