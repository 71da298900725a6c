"""The outbox as the configuration describes it (`[outbox]`, `terminal.data_dir`)."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config.schema import KioskConfig
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.errors import OutboxError
from kiosk.outbox.keyfile import KEY_BYTES, OutboxKeyError, load_or_create_key
from kiosk.outbox.systemd_creds import (CREDENTIAL_NAME, MAX_SEALED_BYTES, SealingError, sealed_path,
                                 unseal)
from kiosk.private_files import PrivateFileError, read_private_file
from kiosk.outbox.store import Outbox

DEFAULT_DATABASE_NAME = "outbox.sqlite3"


def database_path(config: KioskConfig) -> Path:
    if config.outbox.database:
        return Path(config.outbox.database)
    return Path(config.terminal.data_dir) / DEFAULT_DATABASE_NAME


def open_outbox(config: KioskConfig, *, create: bool = True) -> Outbox:
    """Open (or, with `create`, make) the outbox and its key.

    Staff tools pass create=False: looking at a terminal must never conjure an empty queue
    or a fresh key where the real ones are missing.
    """
    db = database_path(config)
    if not create and not db.exists():
        raise OutboxError(f"no outbox database at {db}")
    key = outbox_key(config, create=create)
    return Outbox(db, key, max_items=config.outbox.max_items,
                  min_free_mb=config.outbox.min_free_mb, set_aside_damaged=create)


def outbox_key(config: KioskConfig, *, create: bool = True) -> bytes:
    """The outbox key, read one way wherever the process runs:

    1. `$CREDENTIALS_DIRECTORY/outbox.key` when systemd hands it over (kiosk-ui.service,
       `LoadCredentialEncrypted=`): a production terminal, where the key is sealed at rest;
    2. `<key_file>.cred` unsealed with systemd-creds, when no clear key is there (a technician's
       CLI as root on that terminal);
    3. `[outbox] key_file` in clear, created with `create` (development, the emulators).
    """
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if creds:
        return _private(Path(creds) / CREDENTIAL_NAME, KEY_BYTES)
    key_path = Path(config.outbox.key_file)
    sealed = sealed_path(key_path)
    if not key_path.exists() and sealed.exists():
        try:
            key = unseal(_private(sealed, MAX_SEALED_BYTES))
        except SealingError as exc:
            raise OutboxKeyError(f"outbox key {sealed}: {exc}") from None
        if len(key) != KEY_BYTES:
            raise OutboxKeyError(f"outbox key {sealed} holds {len(key)} bytes, not {KEY_BYTES}")
        return key
    if not create and not key_path.exists():
        raise OutboxError(f"no outbox key file at {key_path}")
    return load_or_create_key(key_path, Path(config.terminal.data_dir))


def _private(path: Path, max_bytes: int) -> bytes:
    try:
        data = read_private_file(path, max_bytes=max_bytes, if_exposed="re-seal the key")
    except PrivateFileError as exc:
        raise OutboxKeyError(f"outbox key {exc}") from None
    if data is None:
        raise OutboxKeyError(f"outbox key {path} is missing (LoadCredentialEncrypted= of "
                             f"kiosk-ui.service, made by kiosk-keys.service)")
    if max_bytes == KEY_BYTES and len(data) != KEY_BYTES:
        raise OutboxKeyError(f"outbox key {path} holds {len(data)} bytes, not {KEY_BYTES}")
    return data


def backoff_from_config(config: KioskConfig) -> Backoff:
    return Backoff(config.outbox.backoff_initial_s, config.outbox.backoff_max_s)
