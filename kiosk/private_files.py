"""Files only the kiosk user may read (the outbox key, the platform credential): directories
made 0700, files 0600, made durable, and read only when nobody else could have read them."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)


def make_private_dirs(directory: Path) -> None:
    """Create missing directories as 0700; existing ones (e.g. /etc) are left as they are."""
    missing: list[Path] = []
    d = Path(directory).absolute()
    while not d.exists():
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # mkdir's mode is filtered by the umask
        fsync_dir(d.parent)


def fsync_dir(directory: Path) -> None:
    """Make a created/renamed/linked name durable (the entry lives in the directory)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing; an existing file readable by group or
    others is narrowed to 0600 (with a warning: its content may already have been read)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if info.st_mode & 0o077:
            if info.st_size:
                log.warning("%s had mode %04o; narrowed to 0600", path,
                            stat.S_IMODE(info.st_mode))
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class PrivateFileError(Exception):
    """A private file is unusable; the message names the path and the rule, never its content."""


def read_private_file(path: Path, *, max_bytes: int, if_exposed: str) -> bytes | None:
    """The content of `path`, None if there is no such file.

    A file that group or others can read is refused, not narrowed: it may already have been
    copied. `if_exposed` tells the reader what to do about that (re-enrol, replace the key).
    """
    try:
        # O_NONBLOCK: a FIFO planted at the path must fail the checks, not hang the terminal.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PrivateFileError(f"{path} cannot be opened: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # the file we opened, not whatever the path names a moment later
        if not stat.S_ISREG(info.st_mode):
            raise PrivateFileError(f"{path} is not a regular file")
        if info.st_mode & 0o077:
            raise PrivateFileError(f"{path} has mode {stat.S_IMODE(info.st_mode):04o}: group or "
                                   f"others may read it; {if_exposed}")
        if info.st_size > max_bytes:
            raise PrivateFileError(f"{path} holds {info.st_size} bytes, more than {max_bytes}")
        return os.read(fd, max_bytes + 1)
    finally:
        os.close(fd)
