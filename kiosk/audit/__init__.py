"""The audit trail (全程留痕): who — citizen session, staff, system — did what, and when.

Append-only, hash-chained (SHA-256 over canonical JSON) and HMAC-keyed (the key mandatory,
held by the signer process on a terminal); `verify` names the first bad entry; the trail's
head travels in every heartbeat and `check_heads` finds a trail cut short or re-chained against
the platform's series; `export` writes JSONL for inspection.
"""

from kiosk.audit.chain import VerifyResult, verify_entries
from kiosk.audit.entry import ACTOR_KINDS, GENESIS, AuditEntry, AuditError
from kiosk.audit.from_config import audit_path, open_trail
from kiosk.audit.heads import HeadCheck, check_heads
from kiosk.audit.keyfile import create_key, load_key
from kiosk.audit.store import AuditTrail, read_jsonl, verify_jsonl

__all__ = ["ACTOR_KINDS", "GENESIS", "AuditEntry", "AuditError", "AuditTrail", "HeadCheck",
           "VerifyResult", "check_heads",
           "audit_path", "create_key", "load_key", "open_trail", "read_jsonl", "verify_entries",
           "verify_jsonl"]
