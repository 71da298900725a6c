"""Run `kiosk` in a real subprocess, as staff would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[2]
_CODE = "from kiosk.cli import main\nmain(prog_name='kiosk')\n"


def write_site(tmp_path: Path) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(tomli_w.dumps({"terminal": {"data_dir": str(tmp_path / "data")}}),
                    encoding="utf-8")
    return site


def kiosk(site: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_FLEET_LAYER")}
    return subprocess.run([sys.executable, "-c", _CODE, "--config", str(site), *args], cwd=ROOT,
                          env=env, input=stdin, capture_output=True, text=True, timeout=60)


def invoke(site: Path, group, *args: str, as_json: bool = False, stdin: str | None = None):
    """In-process (a `kiosk` process costs ~3 s of imports here); exit codes are the same."""
    from click.testing import CliRunner

    from kiosk.cli import CliContext

    return CliRunner().invoke(group, list(args), obj=CliContext(str(site), as_json), input=stdin)
