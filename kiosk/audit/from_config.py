"""The trail as the configuration describes it: `[audit] path`, `key_file`, `signer_socket`.

With `signer_socket` (a terminal) every append goes through the signer process that holds the
key (kiosk.audit.signer); reading commands open the file itself. Without it (development, the
demo, tests) the trail is written in-process, keyed all the same: `key_file`, or a key made on
first use beside the trail.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.audit.keyfile import load_key, load_or_create_key
from kiosk.audit.signer import SignerClient
from kiosk.audit.entry import AuditError
from kiosk.audit.store import AuditTrail, check_place

DEFAULT_NAME = "audit.sqlite3"
DEFAULT_KEY_NAME = "audit.key"


def _setting(config: object, name: str) -> str:
    section = getattr(config, "audit", None)
    return str(getattr(section, name, "") or "") if section is not None else ""


def audit_path(config: object) -> Path:
    path = _setting(config, "path")
    if path:
        return Path(path)
    return Path(config.terminal.data_dir) / DEFAULT_NAME  # type: ignore[attr-defined]


def audit_key_file(config: object) -> str:
    """The key's path: `[audit] key_file`, else beside the trail."""
    return _setting(config, "key_file") or str(audit_path(config).parent / DEFAULT_KEY_NAME)


def signer_socket(config: object) -> str:
    return _setting(config, "signer_socket")


def open_trail(config: object, *, create: bool = True) -> AuditTrail | SignerClient:
    """For writing (`create`): the signer when there is one, else the keyed trail in-process.
    For reading: the file, with its key when this user may read it (else hashes only)."""
    socket_path = signer_socket(config)
    if create and socket_path:
        return SignerClient(socket_path)
    key_file = audit_key_file(config)
    if create:
        check_place(audit_path(config))  # before a key is made beside a trail that cannot be
        return AuditTrail(audit_path(config), key=load_or_create_key(key_file))
    try:
        key: bytes | None = load_key(key_file)
    except AuditError:  # no readable key: the hashes can still be checked
        key = None
    return AuditTrail(audit_path(config), key=key, create=False)
