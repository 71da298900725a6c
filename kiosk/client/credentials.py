"""The terminal's platform credential: one secret in one file only the kiosk user can read.

A credential that group or others can read may already have been copied, so such a file is
refused rather than quietly narrowed: the terminal must be re-enrolled. Messages name the
path and the rule, never a byte of the content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_CREDENTIAL_BYTES = 4096


class CredentialError(Exception):
    """The credential file is unusable; the message says which file and why, not what is in it."""


def read_credential(path: str | Path) -> str:
    """The credential in `path`, surrounding whitespace stripped."""
    path = Path(path)
    try:
        # O_NONBLOCK: a FIFO planted at the path must fail the checks, not hang the terminal.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CredentialError(f"no platform credential file at {path}") from None
    except OSError as exc:
        raise CredentialError(
            f"platform credential file {path} cannot be opened: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # the file we opened, not whatever the path names a moment later
        if not stat.S_ISREG(info.st_mode):
            raise CredentialError(f"platform credential file {path} is not a regular file")
        if info.st_mode & 0o077:
            raise CredentialError(
                f"platform credential file {path} has mode {stat.S_IMODE(info.st_mode):04o}: "
                f"group or others may read it; re-enrol the terminal for a new credential "
                f"(it may have been copied) and keep it mode 0600")
        if info.st_size > MAX_CREDENTIAL_BYTES:
            raise CredentialError(
                f"platform credential file {path} is {info.st_size} bytes, "
                f"more than a credential ({MAX_CREDENTIAL_BYTES})")
        raw = os.read(fd, MAX_CREDENTIAL_BYTES + 1)
    finally:
        os.close(fd)
    try:
        credential = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise CredentialError(
            f"platform credential file {path} is not ASCII text") from None
    if not credential:
        raise CredentialError(f"platform credential file {path} is empty")
    if not credential.isprintable() or any(c.isspace() for c in credential):
        raise CredentialError(
            f"platform credential file {path} holds more than one printable token")
    return credential
