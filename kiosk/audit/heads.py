"""Checking a trail against the heads it reported elsewhere (the platform's series, contract 1.2).

The chain alone cannot tell a trail cut short from one that ended there, nor a trail rewritten
and re-chained (valid hashes, new ones) from the original when the key is in the attacker's
hands. The heads that left the terminal in its heartbeats can: every reported (seq, hash) must
be in the trail with that hash, and the trail must reach the last reported seq. Pure: the
terminal (`kiosk audit verify --platform`) and the platform (on an export) run the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.audit.entry import AuditEntry


@dataclass(frozen=True, slots=True)
class HeadCheck:
    ok: bool
    heads: int  # how many reported heads were checked
    matched: int  # of them, found in the trail with their hash
    last_reported_seq: int | None
    trail_last_seq: int | None
    first_bad_seq: int | None = None
    reason: str | None = None


def check_heads(entries: Iterable[AuditEntry], heads: Iterable[tuple[int, str]]) -> HeadCheck:
    """Every reported (seq, hash) must be an entry of `entries` with that hash."""
    wanted = {int(seq): digest for seq, digest in heads}
    last_reported = max(wanted, default=None)
    found: set[int] = set()
    last_seq: int | None = None
    for entry in entries:
        last_seq = entry.seq if last_seq is None else max(last_seq, entry.seq)
        digest = wanted.get(entry.seq)
        if digest is None:
            continue
        if entry.hash != digest:
            return HeadCheck(False, len(wanted), len(found), last_reported, last_seq, entry.seq,
                             f"entry {entry.seq} has another hash than the one reported to the "
                             f"platform (rewritten, and re-chained after it)")
        found.add(entry.seq)
    if last_reported is not None and (last_seq or 0) < last_reported:
        return HeadCheck(False, len(wanted), len(found), last_reported, last_seq,
                         (last_seq or 0) + 1,
                         f"the trail ends at seq {last_seq or 0} but seq {last_reported} was "
                         f"reported to the platform (cut short)")
    if len(found) < len(wanted):
        gone = min(set(wanted) - found)
        return HeadCheck(False, len(wanted), len(found), last_reported, last_seq, gone,
                         f"entry {gone} was reported to the platform but is not in the trail")
    return HeadCheck(True, len(wanted), len(found), last_reported, last_seq)


def reported_heads(client: Any) -> list[tuple[int, str]]:
    """Every head the platform kept for this terminal (`client`: its PlatformClient), page by
    page. PlatformError when the platform cannot say."""
    heads: list[tuple[int, str]] = []
    since = 1
    while True:
        page = client.audit_heads(since)
        heads += [(item.seq, item.hash) for item in page.items]
        if not page.more or not page.items:
            return heads
        since = page.items[-1].seq + 1
