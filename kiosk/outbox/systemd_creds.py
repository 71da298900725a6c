"""The outbox key sealed with `systemd-creds` (TPM2 where present, the host key otherwise).

On a production terminal the key never lies in clear on disk: kiosk-keys.service seals it to
/etc/kiosk/outbox.key.cred, and systemd hands the UI the clear key in its private
`$CREDENTIALS_DIRECTORY` (`LoadCredentialEncrypted=`), a non-swappable ramfs only that unit sees.
A copied disk, or a copied /etc/kiosk, cannot open the queue on another machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CREDENTIAL_NAME = "outbox.key"  # the name sealed into the blob and used by LoadCredentialEncrypted
SEALED_SUFFIX = ".cred"
MAX_SEALED_BYTES = 16_384  # a 32-byte key seals to ~200 bytes (host) or ~1.5 KB (host+tpm2)
_TIMEOUT_S = 60


class SealingError(Exception):
    """systemd-creds refused or is missing; the message carries its stderr, never the key."""


def sealed_path(key_file: str | Path) -> Path:
    """Where the sealed form of `[outbox] key_file` lives: the same name plus `.cred`."""
    return Path(f"{key_file}{SEALED_SUFFIX}")


def _run(args: list[str], data: bytes) -> bytes:
    tool = shutil.which("systemd-creds")
    if tool is None:
        raise SealingError("systemd-creds is missing (Debian package systemd)")
    try:
        done = subprocess.run([tool, *args], input=data, capture_output=True,
                              timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SealingError(f"systemd-creds {args[0]} failed: {exc}") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SealingError(f"systemd-creds {args[0]} failed: {err[-1] if err else done.returncode}")
    return done.stdout


def seal(key: bytes) -> bytes:
    """`key` sealed for this machine. `--with-key=auto`: host key and TPM2 when there is one.
    `--tpm2-pcrs=` (bound to the chip, not to PCR 7): a firmware or Secure Boot db update would
    otherwise make the key unreadable and strand every pending application."""
    return _run(["encrypt", "--with-key=auto", "--tpm2-pcrs=", f"--name={CREDENTIAL_NAME}",
                 "-", "-"], key)


def unseal(blob: bytes) -> bytes:
    """The clear key from a sealed blob (root only: it needs the host key or the TPM)."""
    return _run(["decrypt", f"--name={CREDENTIAL_NAME}", "-", "-"], blob)
