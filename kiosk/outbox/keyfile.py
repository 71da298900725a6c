"""The outbox's AES-256 key: one file, created once, kept away from the data it protects.

The key must not live in `terminal.data_dir` next to the database: a copied data directory
(backup, disk image, returned terminal) must not carry the means to open the queue. A key that
group or others can read protects nothing, so such a file is refused rather than fixed in
place: someone may already have copied it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kiosk.private_files import (PrivateFileError, fsync_dir, make_private_dirs,
                                 read_private_file)

KEY_BYTES = 32  # AES-256


class OutboxKeyError(Exception):
    """The key file is unusable. The message names the path and the rule, never the key."""


def load_or_create_key(path: Path, data_dir: Path) -> bytes:
    """The key in `path`, created (0600, parents 0700) with fresh random bytes if missing."""
    path = Path(path)
    _refuse_inside_data_dir(path, Path(data_dir))
    key = _read_key(path)
    if key is not None:
        return key
    _create_key(path)
    key = _read_key(path)
    if key is None:  # removed between our create and read: someone else is at work here
        raise OutboxKeyError(f"outbox key file {path} vanished right after it was created")
    return key


def _refuse_inside_data_dir(path: Path, data_dir: Path) -> None:
    real_key = path.resolve()
    real_data = data_dir.resolve()
    if real_key == real_data or real_data in real_key.parents:
        raise OutboxKeyError(
            f"outbox key file {path} is inside the data directory {data_dir}"
            + (f" (resolves to {real_key})" if real_key != path.absolute() else "")
            + ": keep the key apart from the database it protects (e.g. /etc/kiosk/outbox.key)")


def _read_key(path: Path) -> bytes | None:
    """The key bytes, None if there is no file; OutboxKeyError for anything else that is off."""
    try:
        data = read_private_file(path, max_bytes=KEY_BYTES, if_exposed=(
            "replace the key (and discard or re-seal the queue) rather than just chmod 600, "
            "it may have been copied"))
    except PrivateFileError as exc:
        raise OutboxKeyError(f"outbox key file {exc}") from None
    if data is None:
        # A dangling symlink is someone's mistake, not a first start. (Checked only now: another
        # process may have linked its new key into place since our open; the caller's create
        # then finds the name taken and reads the key that won.)
        if os.path.islink(path) and not os.path.exists(path):
            raise OutboxKeyError(f"outbox key file {path} is a dangling symlink")
        return None
    if len(data) != KEY_BYTES:
        raise OutboxKeyError(f"outbox key file {path} holds {len(data)} bytes, "
                             f"expected exactly {KEY_BYTES}")
    return data


def _create_key(path: Path) -> None:
    """Write the key to a private temporary file, then link it into place.

    link() fails if the name exists, so two processes starting at once end up with one key, and
    a crash leaves either no key file or a complete one: never an empty file that would be
    refused at every later start.
    """
    parent = path.parent
    make_private_dirs(parent)
    tmp = parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask cannot widen it, but be explicit
        key = secrets.token_bytes(KEY_BYTES)
        written = os.write(fd, key)
        if written != KEY_BYTES:
            raise OutboxKeyError(f"outbox key file {path}: short write ({written} bytes)")
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process created it first: theirs is the key, ours is discarded
    except OSError as exc:
        raise OutboxKeyError(f"outbox key file {path} cannot be created: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(parent)
