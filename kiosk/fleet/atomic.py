"""Whole-file replacement that survives a power cut: temp file, fsync, rename, fsync the dir.

A reader (the config loader at boot) sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.faults import crash_point
from kiosk.private_files import fsync_dir

TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes, *, crash_name: str = "") -> None:
    """Replace `path` by `data`. `crash_name` names the drill points `<name>.before_rename` and
    `<name>.after_rename` (see kiosk/faults.py)."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o640)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if crash_name:
        crash_point(f"{crash_name}.before_rename")
    os.replace(tmp, path)
    fsync_dir(path.parent)
    if crash_name:
        crash_point(f"{crash_name}.after_rename")


def remove_durably(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)


def remove_leftovers(directory: Path) -> None:
    """Temp files a power cut left behind: never read, so simply removed."""
    for tmp in directory.glob("*" + TMP_SUFFIX):
        tmp.unlink(missing_ok=True)
