"""Real espeak-ng, and a player that is a real process: a shell script that records what it was
given (and, while a `hold` file exists, keeps "playing" like a long prompt would)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

PLAYER = """#!/bin/sh
# usage: player.sh RECORD_DIR WAV
dir="$1"; wav="$2"
n=$(ls "$dir" | grep -c '\\.wav$')
cp "$wav" "$dir/$n.wav"
echo "start $n $$" >> "$dir/log"
while [ -e "$dir/hold" ]; do sleep 0.05; done
echo "end $n" >> "$dir/log"
"""


@pytest.fixture(scope="session", autouse=True)
def _needs_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed (setup.sh's DEBIAN_PACKAGES)")


class Recorder:
    """Where the player script leaves copies of what it played, and its start/end log."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "played"
        self.dir.mkdir()
        self.script = root / "player.sh"
        self.script.write_text(PLAYER, encoding="utf-8")
        self.script.chmod(self.script.stat().st_mode | stat.S_IXUSR)
        self.command = (str(self.script), str(self.dir))

    def files(self) -> list[Path]:
        return sorted(self.dir.glob("*.wav"), key=lambda p: int(p.stem))

    def log(self) -> list[str]:
        path = self.dir / "log"
        return path.read_text().splitlines() if path.exists() else []

    def hold(self, on: bool) -> None:
        (self.dir / "hold").touch() if on else (self.dir / "hold").unlink(missing_ok=True)


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return Recorder(tmp_path)
