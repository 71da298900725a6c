"""The trail as the configuration describes it: `[audit] path` and `key_file`.

Until the `[audit]` section is in the schema, the defaults below apply (read with getattr so
this works before and after): <terminal.data_dir>/audit.sqlite3, no HMAC key.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.audit.keyfile import load_key
from kiosk.audit.store import AuditTrail

DEFAULT_NAME = "audit.sqlite3"


def audit_path(config: object) -> Path:
    section = getattr(config, "audit", None)
    if section is not None and getattr(section, "path", ""):
        return Path(section.path)
    return Path(config.terminal.data_dir) / DEFAULT_NAME  # type: ignore[attr-defined]


def audit_key_file(config: object) -> str:
    section = getattr(config, "audit", None)
    return getattr(section, "key_file", "") if section is not None else ""


def open_trail(config: object, *, create: bool = True) -> AuditTrail:
    key_file = audit_key_file(config)
    return AuditTrail(audit_path(config), key=load_key(key_file) if key_file else None,
                      create=create)
