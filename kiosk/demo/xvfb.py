"""A private X server for the app on a machine with no display (a fresh server, CI, the tests).

Xvfb rather than SDL's offscreen driver: offscreen never frees textures (PITFALLS.md), so
memory figures and long runs would be wrong there.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess

SIZE = (1920, 1080)


class Xvfb:
    """Xvfb on a free display number, until `stop()`."""

    def __init__(self, size: tuple[int, int] = SIZE) -> None:
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is not installed (setup.sh installs xvfb)")
        self.size = size
        # -displayfd: the server picks a free display itself and writes its number once it
        # accepts clients, so helpers started at the same moment never race for one number.
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                 f"{size[0]}x{size[1]}x24", "-nolisten", "tcp", "-noreset"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_fd,))
        finally:
            os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            ready, _, _ = select.select([pipe], [], [], 15)
            line = pipe.readline() if ready else b""
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start (no display number within 15 s)")
        self.display = int(line)

    @property
    def env(self) -> dict[str, str]:
        """What a child process needs to draw on this server."""
        return {"DISPLAY": f":{self.display}"}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> Xvfb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
