"""The console's Ed25519 key: it signs remote commands, terminals trust its public half.

PEM (PKCS#8) file, 0600, made once with O_EXCL (a lost key is worse than an error: every
terminal's site file names the public half). The public half goes into each terminal's site
file as `[remote] console_public_key_file`:
`python -m kiosk.console.signing /etc/kiosk-console/command-key.pem > console-command.pub`
makes the key if there is none and prints its public half.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat,
                                                          PublicFormat, load_pem_private_key)

from kiosk.private_files import make_private_dirs


def generate(path: Path) -> Ed25519PrivateKey:
    make_private_dirs(path.parent)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def load(path: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(Path(path).read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def load_or_generate(path: Path) -> Ed25519PrivateKey:
    return load(path) if Path(path).exists() else generate(Path(path))


def public_pem(key: Ed25519PrivateKey) -> bytes:
    """What goes to the terminals (their site file)."""
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m kiosk.console.signing KEY_FILE  (prints the public key)",
              file=sys.stderr)
        return 2
    sys.stdout.write(public_pem(load_or_generate(Path(args[0]))).decode("ascii"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
