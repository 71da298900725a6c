"""Making the outbox key as root (kiosk-keys.service) without becoming anyone's tool.

The process runs as root, so every path it touches is a privilege: it writes only inside the
keys directory (/etc/kiosk, root-owned), reached with no symlink anywhere on the way; it creates
with O_CREAT|O_EXCL|O_NOFOLLOW relative to that directory's descriptor; and an existing file is
only checked, never chmod-ed or chown-ed (a chown of a planted name is how a UI user would get a
root-owned file of its choosing). Where the path comes from is the caller's business: the
configuration it reads must be the default and site files only, never a fleet layer.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from kiosk.outbox.keyfile import KEY_BYTES, OutboxKeyError
from kiosk.outbox.systemd_creds import MAX_SEALED_BYTES, SealingError, seal, sealed_path, unseal

KEYS_ROOT = Path("/etc/kiosk")
# Tests only: a temporary keys directory instead of /etc/kiosk. The units never set it.
KEYS_ROOT_ENV = "KIOSK_TEST_KEYS_ROOT"


@dataclass(frozen=True)
class KeygenResult:
    path: Path
    created: bool
    sealed: bool
    migrated: bool = False  # a clear key of an earlier install was sealed and removed


def keys_root() -> Path:
    return Path(os.environ.get(KEYS_ROOT_ENV) or KEYS_ROOT)


def _open_keys_dir(path: Path) -> int:
    """A descriptor of `path`'s directory, which must be the keys directory or below it, opened
    one component at a time with O_NOFOLLOW: no symlink anywhere on the way, even one swapped
    in after the check."""
    root = keys_root()
    parent = Path(os.path.abspath(path)).parent
    real = Path(os.path.realpath(parent))
    real_root = Path(os.path.realpath(root))
    if real != real_root and real_root not in real.parents:
        raise OutboxKeyError(f"{path}: keys are made only under {root}, not in {real}")
    if real != parent:
        raise OutboxKeyError(f"{path}: its directory {parent} goes through a symlink "
                             f"(to {real}): refused, not followed")
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open("/", flags)
    try:
        for part in parent.parts[1:]:
            next_fd = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = next_fd
    except FileNotFoundError:
        os.close(fd)
        raise OutboxKeyError(f"{path}: no directory {parent} (systemd-tmpfiles makes "
                             f"{KEYS_ROOT}, root:kiosk 0750)") from None
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise OutboxKeyError(f"{path}: its directory {parent} changed into a symlink: "
                                 f"refused, not followed") from None
        raise OutboxKeyError(f"{path}: cannot open {parent}: {exc.strerror}") from None
    return fd


def _read_existing(dir_fd: int, name: str, path: Path, max_bytes: int,
                   owner: int | None) -> bytes | None:
    """The content of `name`, None if absent; refused (never fixed) if it is a symlink, not a
    regular file, readable by group or others, or not owned by `owner` (None: anyone)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutboxKeyError(f"{path} is a symlink: refused, not followed") from None
        raise OutboxKeyError(f"{path} cannot be opened: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutboxKeyError(f"{path} is not a regular file")
        if info.st_mode & 0o077:
            raise OutboxKeyError(f"{path} has mode {stat.S_IMODE(info.st_mode):04o}: group or "
                                 f"others may read it; replace the key, do not just chmod it")
        if owner is not None and info.st_uid != owner:
            raise OutboxKeyError(f"{path} is owned by uid {info.st_uid}, expected {owner}")
        if info.st_size > max_bytes:
            raise OutboxKeyError(f"{path} holds {info.st_size} bytes, more than {max_bytes}")
        return os.read(fd, max_bytes + 1)
    finally:
        os.close(fd)


def _create(dir_fd: int, name: str, path: Path, content: bytes, owner: int | None) -> None:
    """Write a private temporary file in the directory, then link it to `name`: link() never
    replaces a name, and a crash leaves no half-written key. chown only this new file."""
    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        try:
            os.fchmod(fd, 0o600)
            if owner is not None:
                os.fchown(fd, owner, -1)
            if os.write(fd, content) != len(content):
                raise OutboxKeyError(f"{path}: short write")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        except FileExistsError:
            raise OutboxKeyError(f"{path} appeared while it was being made: run again to "
                                 f"check it") from None
    finally:
        os.unlink(tmp, dir_fd=dir_fd)
    os.fsync(dir_fd)


def _check_key(key: bytes | None, path: Path) -> bytes | None:
    if key is not None and len(key) != KEY_BYTES:
        raise OutboxKeyError(f"{path} holds {len(key)} bytes, expected exactly {KEY_BYTES}")
    return key


def make_clear_key(path: Path, owner: int | None = None) -> KeygenResult:
    """Development/emulator form: the key in clear at `path` (0600, given to `owner` if new)."""
    path = Path(os.path.abspath(path))
    dir_fd = _open_keys_dir(path)
    try:
        expected = owner if owner is not None else os.geteuid()
        if _check_key(_read_existing(dir_fd, path.name, path, KEY_BYTES, expected),
                      path) is not None:
            return KeygenResult(path, created=False, sealed=False)
        _create(dir_fd, path.name, path, secrets.token_bytes(KEY_BYTES), owner)
        return KeygenResult(path, created=True, sealed=False)
    finally:
        os.close(dir_fd)


def make_sealed_key(key_file: Path) -> KeygenResult:
    """Production form: the key sealed with systemd-creds at `<key_file>.cred`, root's, 0600.
    An existing one is unsealed to prove it opens on this machine (a copy from another terminal
    does not). A clear key of an earlier install is sealed, then removed: its queue stays
    readable."""
    clear = Path(os.path.abspath(key_file))
    target = sealed_path(clear)
    dir_fd = _open_keys_dir(target)
    try:
        me = os.geteuid()
        try:
            blob = _read_existing(dir_fd, target.name, target, MAX_SEALED_BYTES, me)
            if blob is not None:
                _check_key(unseal(blob), target)
                return KeygenResult(target, created=False, sealed=True)
            old = None
            if clear.parent == target.parent:  # earlier installs gave it to the UI user
                old = _check_key(_read_existing(dir_fd, clear.name, clear, KEY_BYTES, None),
                                 clear)
            _create(dir_fd, target.name, target, seal(old or secrets.token_bytes(KEY_BYTES)),
                    None)
        except SealingError as exc:
            raise OutboxKeyError(f"{target}: {exc}") from None
        if old is not None:
            os.unlink(clear.name, dir_fd=dir_fd)
            os.fsync(dir_fd)
        return KeygenResult(target, created=True, sealed=True, migrated=old is not None)
    finally:
        os.close(dir_fd)
