"""One audit entry and its hash: SHA-256 over canonical JSON, chained through `prev_hash`.

Canonical JSON = keys sorted, no whitespace, UTF-8, no floats (their text form differs between
languages, and an auditor may re-check the chain with any tool). The optional MAC is
HMAC-SHA256(key, hash): the hash already commits to the entry and to everything before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from kiosk.logs import mask_text

GENESIS = "0" * 64
ACTOR_KINDS = ("citizen_session", "staff", "system")

_ACTOR_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
_ACTION = re.compile(r"^[a-z][a-z0-9_.]{1,62}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Personal data that no regex could mask (a name, an address): refused by name in details.
PII_KEYS = frozenset({"id_number", "name", "full_name", "address", "phone", "mobile", "photo",
                      "birth_date", "birthday", "form", "form_values", "pin"})


class AuditError(Exception):
    """The trail cannot be opened or written."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    time: str  # ISO 8601 UTC with milliseconds, e.g. 2025-03-01T02:03:04.567Z
    actor_kind: str
    actor_id: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    mac: str | None = None

    def body(self) -> dict[str, Any]:
        """What the hash covers: everything but the hash and the MAC."""
        return {"seq": self.seq, "time": self.time, "actor_kind": self.actor_kind,
                "actor_id": self.actor_id, "action": self.action, "details": self.details,
                "prev_hash": self.prev_hash}

    def to_json(self) -> str:
        return canonical(asdict(self)).decode("utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AuditEntry":
        return cls(seq=data["seq"], time=data["time"], actor_kind=data["actor_kind"],
                   actor_id=data["actor_id"], action=data["action"], details=data["details"],
                   prev_hash=data["prev_hash"], hash=data["hash"], mac=data.get("mac"))


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def entry_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def entry_mac(key: bytes, hash_hex: str) -> str:
    return hmac.new(key, bytes.fromhex(hash_hex), hashlib.sha256).hexdigest()


def utc_text(timestamp: float) -> str:
    return (datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"))


def clean_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Details as stored: JSON types without floats, string values PII-masked, no PII keys."""

    def clean(value: Any, path: str) -> Any:
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, str):
            return mask_text(value)
        if isinstance(value, float):
            raise ValueError(f"audit details {path}: no floats (give an int or a string)")
        if isinstance(value, list | tuple):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if not isinstance(k, str) or not _KEY.match(k):
                    raise ValueError(f"audit details {path}: keys are snake_case names")
                if k in PII_KEYS:
                    raise ValueError(f"audit details {path}.{k}: personal data is never audited")
                out[k] = clean(v, f"{path}.{k}")
            return out
        raise ValueError(f"audit details {path}: {type(value).__name__} is not a JSON value")

    return clean(dict(details or {}), "details")


def check_actor(actor_kind: str, actor_id: str, action: str) -> None:
    if actor_kind not in ACTOR_KINDS:
        raise ValueError(f"actor kind must be one of {ACTOR_KINDS}")
    # An ID or mobile number would be masked by mask_text: refuse it rather than store a mask.
    if not _ACTOR_ID.match(actor_id) or mask_text(actor_id) != actor_id:
        raise ValueError("actor id must be a session id or staff id (never an ID number)")
    if not _ACTION.match(action):
        raise ValueError("action must be a dotted snake_case name, e.g. outbox.discard")


def make_entry(seq: int, timestamp: float, actor_kind: str, actor_id: str, action: str,
               details: dict[str, Any] | None, prev_hash: str,
               key: bytes | None = None) -> AuditEntry:
    check_actor(actor_kind, actor_id, action)
    body = {"seq": seq, "time": utc_text(timestamp), "actor_kind": actor_kind,
            "actor_id": actor_id, "action": action, "details": clean_details(details),
            "prev_hash": prev_hash}
    digest = entry_hash(body)
    return AuditEntry(**body, hash=digest, mac=entry_mac(key, digest) if key else None)
