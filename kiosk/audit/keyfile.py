"""The HMAC key of the audit trail (mandatory): 32+ random bytes in a file.

On a terminal it is the signer's alone (`kiosk audit serve`, user kiosk-audit, in its own state
directory): the UI never reads it, so an escaped UI cannot forge or re-MAC entries. Without a
signer (development, the demo, tests) the trail is keyed all the same, with a key made on first
use beside the trail (`load_or_create_key`), which guards against nothing but a bare edit.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kiosk.audit.entry import AuditError

KEY_BYTES = 32


def load_key(path: str | Path) -> bytes:
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise AuditError(f"cannot read the audit key {path}: {exc.strerror}") from exc
    if len(key) < KEY_BYTES:
        raise AuditError(f"the audit key {path} is shorter than {KEY_BYTES} bytes")
    return key


def create_key(path: str | Path, mode: int = 0o640) -> None:
    """Write a new key; refuse to overwrite one, since old MACs would all fail."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError as exc:
        raise AuditError(f"{path} exists: a new key would invalidate every MAC made with it") \
            from exc
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(KEY_BYTES))
        out.flush()
        os.fsync(out.fileno())


def load_or_create_key(path: str | Path) -> bytes:
    """The key at `path`, made first (mode 0600) if there is none."""
    try:
        create_key(path, mode=0o600)
    except AuditError:
        pass  # it exists: use it
    return load_key(path)
