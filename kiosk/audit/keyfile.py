"""The optional HMAC key of the audit trail: 32+ random bytes in a file the kiosk user may read.

It lives beside the other keys in /etc/kiosk (read-only to the kiosk process), never in the
data directory, so a copy of the data disk alone cannot rewrite the trail convincingly.
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


def create_key(path: str | Path) -> None:
    """Write a new key (mode 0640); refuse to overwrite one, since old MACs would all fail."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except FileExistsError as exc:
        raise AuditError(f"{path} exists: a new key would invalidate every MAC made with it") \
            from exc
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(KEY_BYTES))
        out.flush()
        os.fsync(out.fileno())
