"""The outbox as the configuration describes it (`[outbox]`, `terminal.data_dir`)."""

from __future__ import annotations

from pathlib import Path

from kiosk.config.schema import KioskConfig
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.errors import OutboxError
from kiosk.outbox.keyfile import load_or_create_key
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
    key_path = Path(config.outbox.key_file)
    if not create and not key_path.exists():
        raise OutboxError(f"no outbox key file at {key_path}")
    key = load_or_create_key(key_path, Path(config.terminal.data_dir))
    return Outbox(db, key, max_items=config.outbox.max_items,
                  min_free_mb=config.outbox.min_free_mb)


def backoff_from_config(config: KioskConfig) -> Backoff:
    return Backoff(config.outbox.backoff_initial_s, config.outbox.backoff_max_s)
