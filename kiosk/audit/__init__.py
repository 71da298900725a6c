"""The audit trail (全程留痕): who — citizen session, staff, system — did what, and when.

Append-only and hash-chained (SHA-256 over canonical JSON), optionally HMAC-keyed; `verify`
names the first bad entry; `export` writes JSONL for inspection.
"""

from kiosk.audit.chain import VerifyResult, verify_entries
from kiosk.audit.entry import ACTOR_KINDS, GENESIS, AuditEntry, AuditError
from kiosk.audit.from_config import audit_path, open_trail
from kiosk.audit.keyfile import create_key, load_key
from kiosk.audit.store import AuditTrail, read_jsonl, verify_jsonl

__all__ = ["ACTOR_KINDS", "GENESIS", "AuditEntry", "AuditError", "AuditTrail", "VerifyResult",
           "audit_path", "create_key", "load_key", "open_trail", "read_jsonl", "verify_entries",
           "verify_jsonl"]
