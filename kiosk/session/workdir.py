"""One private directory per citizen session for temporary files (scans, camera frames, PDFs).

Everything a session writes lives under one randomly named 0700 directory, so ending the
session is one `wipe()`: every regular file overwritten with zeros and fsynced before it is
unlinked (on a disk that narrows what a later reader of the raw blocks could find; on tmpfs it
costs little), then the tree removed. After a crash or power cut `sweep_stale()` at start-up
removes what the previous run left behind.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from pathlib import Path

from kiosk.private_files import make_private_dirs

log = logging.getLogger(__name__)

_NAME = re.compile(r"\Asession-[0-9a-f]{24}\Z")
_SUFFIX = re.compile(r"\A\.[A-Za-z0-9]{1,8}\Z")
_CHUNK = 1 << 20


def sessions_dir_of(directory: str, run_dir: str) -> Path:
    """`session.directory`, or `<terminal.run_dir>/sessions` when it is empty."""
    return Path(directory) if directory else Path(run_dir) / "sessions"


class SessionWorkdir:
    """A fresh `session-<random>` directory under `sessions_dir`; files in it are 0600."""

    def __init__(self, sessions_dir: Path):
        make_private_dirs(Path(sessions_dir))
        self.path = Path(sessions_dir) / f"session-{secrets.token_hex(12)}"
        os.mkdir(self.path, 0o700)
        os.chmod(self.path, 0o700)  # mkdir's mode is filtered by the umask
        self._count = 0
        self.wiped = False

    def write(self, data: bytes, suffix: str, stem: str = "file") -> Path:
        """Store `data` in a new private file named `<stem>-<n><suffix>`; returns its path."""
        if self.wiped:
            raise RuntimeError("the session directory has been wiped")
        if not _SUFFIX.match(suffix) or not re.fullmatch(r"[a-z]{1,16}", stem):
            raise ValueError("suffix must be like '.jpg' and stem plain lowercase letters")
        self._count += 1
        path = self.path / f"{stem}-{self._count:03d}{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return path

    def wipe(self) -> bool:
        """Zero, fsync and unlink every file, remove the tree; True if nothing is left."""
        self.wiped = True
        return wipe_tree(self.path)


def wipe_tree(root: Path) -> bool:
    """Best effort: errors are logged (paths only, they hold no personal data) and skipped."""
    ok = True
    if not os.path.lexists(root):
        return True
    for top, dirs, files in os.walk(root, topdown=False):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            ok &= _shred(os.path.join(top, name))
        for name in dirs:
            full = os.path.join(top, name)
            if not os.path.islink(full):
                ok &= _quietly(os.rmdir, full)
    return _quietly(os.rmdir, root) and ok


def _shred(path: str) -> bool:
    try:
        info = os.lstat(path)
        # a hard link's other name lives outside the session: unlink ours, keep its content
        if stat.S_ISREG(info.st_mode) and info.st_size and info.st_nlink == 1:
            fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                zeros = bytes(min(_CHUNK, info.st_size))
                left = info.st_size
                while left > 0:
                    left -= os.write(fd, zeros[:left])
                os.fsync(fd)
            finally:
                os.close(fd)
    except OSError as exc:
        log.warning("could not overwrite %s: %s", path, exc.strerror)
    return _quietly(os.unlink, path)


def _quietly(action, path: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        action(path)
        return True
    except FileNotFoundError:
        return True
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc.strerror)
        return False


def sweep_stale(sessions_dir: Path) -> int:
    """Wipe every `session-*` directory left in `sessions_dir` (call before any session starts).

    Only names this module makes are touched: a misconfigured `session.directory` pointing at
    something else loses nothing. Returns how many were removed.
    """
    try:
        entries = list(os.scandir(sessions_dir))
    except FileNotFoundError:
        return 0
    removed = 0
    for entry in entries:
        if _NAME.match(entry.name) and entry.is_dir(follow_symlinks=False):
            if wipe_tree(Path(entry.path)):
                removed += 1
    if removed:
        log.info("removed %d session directories left by an earlier run", removed)
    return removed
