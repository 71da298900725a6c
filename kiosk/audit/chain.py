"""Checking a hash chain, wherever its entries come from (the SQLite trail or a JSONL export).

What is detected, and named by the first bad seq: an edited entry (its hash no longer matches),
a deleted, inserted or reordered one (seq out of order, prev_hash not the previous hash), and,
with the HMAC key, a tail rewritten with recomputed hashes or a forged entry appended. Without
an anchor (a seq and hash remembered elsewhere, e.g. sent with the heartbeat) nothing can tell
a trail cut short at its end from one that simply ended there.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.audit.entry import GENESIS, AuditEntry, entry_hash, entry_mac


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    entries: int  # how many were checked
    first_seq: int | None
    last_seq: int | None
    last_hash: str | None
    first_bad_seq: int | None = None
    reason: str | None = None
    mac_checked: bool = False


def verify_entries(entries: Iterable[AuditEntry], *, key: bytes | None = None,
                   anchor: tuple[int, str] | None = None, partial: bool = False) -> VerifyResult:
    """Check entries in the order given. `partial` accepts a slice that starts after seq 1
    (an export `--since`): its first prev_hash is taken on trust."""
    count, first_seq, prev_seq, prev_hash = 0, None, None, None
    anchor_seen = False

    def bad(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, count, first_seq, prev_seq, prev_hash, seq, reason,
                            key is not None)

    for entry in entries:
        if first_seq is None:
            first_seq = entry.seq
            if not partial and entry.seq != 1:
                return bad(1, f"the trail starts at seq {entry.seq}: entries before it are missing")
            expected_seq, expected_prev = entry.seq, (entry.prev_hash if partial else GENESIS)
        else:
            expected_seq, expected_prev = prev_seq + 1, prev_hash
        if entry.seq != expected_seq:
            what = "missing (deleted or reordered)" if entry.seq > expected_seq else \
                "out of order (inserted or reordered)"
            return bad(expected_seq, f"found seq {entry.seq} where {expected_seq} belongs: "
                                     f"entry {expected_seq} is {what}")
        if entry.prev_hash != expected_prev:
            return bad(entry.seq, "prev_hash is not the hash of the entry before "
                                  "(an entry was deleted, inserted or reordered)")
        try:
            recomputed = entry_hash(entry.body())
        except (TypeError, ValueError):
            recomputed = None
        if recomputed != entry.hash:
            return bad(entry.seq, "its content does not match its hash (edited)")
        if key is not None:
            if not entry.mac or not hmac.compare_digest(entry.mac, entry_mac(key, entry.hash)):
                return bad(entry.seq, "its MAC does not match (rewritten without the key, "
                                      "or another key)")
        if anchor is not None and entry.seq == anchor[0]:
            if entry.hash != anchor[1]:
                return bad(entry.seq, "its hash differs from the anchor kept elsewhere")
            anchor_seen = True
        count += 1
        prev_seq, prev_hash = entry.seq, entry.hash
    if anchor is not None and not anchor_seen:
        return bad((prev_seq or 0) + 1,
                   f"the trail ends at seq {prev_seq or 0} but the anchor says seq {anchor[0]} "
                   f"exists (cut short)")
    return VerifyResult(True, count, first_seq, prev_seq, prev_hash, mac_checked=key is not None)
