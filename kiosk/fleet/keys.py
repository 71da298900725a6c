"""Ed25519 signing keys as PEM (PKCS#8) files, mode 0600, for the fleet repository's roles.

Root keys live in an offline directory (a USB stick in a safe in real life: `root-1.pem` ...);
the online keys (timestamp, snapshot, targets) live beside the repository, because re-signing
the timestamp every day must not need a person.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner

from kiosk.private_files import make_private_dirs

ONLINE_ROLES = ("targets", "snapshot", "timestamp")


class KeyFileError(Exception):
    """A key file is missing or unreadable; the message names the file, never its content."""


def generate(path: Path) -> CryptoSigner:
    """A new key written to `path` (refuses to overwrite: a lost key is worse than an error)."""
    make_private_dirs(path.parent)
    signer = CryptoSigner.generate_ed25519()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, signer.private_bytes)
        os.fsync(fd)
    finally:
        os.close(fd)
    return signer


def load(path: Path) -> CryptoSigner:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key: {exc.strerror or exc}") from None
    try:
        return CryptoSigner(load_pem_private_key(pem, None))
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: not a PEM private key") from None


def root_key_paths(offline_dir: Path) -> list[Path]:
    return sorted(offline_dir.glob("root-*.pem"))
