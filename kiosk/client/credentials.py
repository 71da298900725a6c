"""The terminal's platform credential: one secret in one file only the kiosk user can read.

A credential that group or others can read may already have been copied, so such a file is
refused rather than quietly narrowed: the terminal must be re-enrolled. Messages name the
path and the rule, never a byte of the content.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.private_files import PrivateFileError, read_private_file

MAX_CREDENTIAL_BYTES = 4096


class CredentialError(Exception):
    """The credential file is unusable; the message says which file and why, not what is in it."""


def read_credential(path: str | Path) -> str:
    """The credential in `path`, surrounding whitespace stripped."""
    path = Path(path)
    try:
        raw = read_private_file(path, max_bytes=MAX_CREDENTIAL_BYTES, if_exposed=(
            "re-enrol the terminal for a new credential (it may have been copied) and keep it "
            "mode 0600"))
    except PrivateFileError as exc:
        raise CredentialError(f"platform credential file {exc}") from None
    if raw is None:
        raise CredentialError(f"no platform credential file at {path}")
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
