"""The progress QR printed on an application receipt: our own short text format.

    GOVKIOSK:R:2:<ref>:<kiosk_id>:<token>

- `GOVKIOSK` says the code is ours (anything else is `not_ours`: a payment code, a URL...).
- `R` is the kind of code (an application receipt), `2` the format version.
- `<ref>` is the platform's receipt number (受理号, e.g. `SL-20261123-000042`, the contract's
  `ReceiptNo`) or, while the application waits in the outbox, the terminal's outbox reference
  (`K` + 8 Crockford base32 characters, e.g. `K7Q2M9XH4`). The shape tells which: an outbox
  reference is exactly `K` + 8 Crockford characters, and `make(..., kind=...)` refuses a
  receipt number of that shape, so the two can never be confused on paper.
- `<kiosk_id>` is the terminal that printed it (`[A-Za-z0-9_.-]{1,64}`, as in the config), so
  the terminal that queued an application can find it in its own outbox before delivery.
- `<token>` is the application's progress token: 26 Crockford base32 characters (130 random
  bits) made by the terminal when the application is filed and registered at the platform with
  it (contract 1.1, `ApplicationCreate.progress_token`), or issued by the platform for a
  progress slip. Whoever holds the paper may see the application's masked progress
  (`getProgress`), and nothing else; the platform stops answering some time after the case
  closes. Receipt numbers are sequential and not secret: the token is what cannot be guessed.

Version 1 codes (signed with a fleet-wide HMAC key kept on every terminal, so one stolen
terminal could forge a code for any receipt number) are refused as `old_code`.

Everything but a lower-case kiosk id is in the QR alphanumeric set (0-9 A-Z : -), which keeps a
typical code (~67 characters) at version 3-4 with error correction M.

`parse` raises only `ReceiptQrRefused`, whose `reason` is one of REASONS; the refused text itself
is never put in the message (it may be anything a citizen held up to the camera).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from kiosk.outbox.store import REFERENCE as OUTBOX_REFERENCE

PREFIX = "GOVKIOSK"
CODE_KIND = "R"
VERSION = "2"
OLD_VERSIONS = ("1",)
TOKEN_CHARS = 26
MAX_TEXT = 160  # longer than any code `make` can produce (13 + 40 + 1 + 64 + 1 + 26 = 145)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

RefKind = Literal["receipt_no", "outbox_reference"]
Reason = Literal["not_ours", "malformed", "old_code", "too_long"]
REASONS: tuple[Reason, ...] = ("not_ours", "malformed", "old_code", "too_long")

_RECEIPT_NO = re.compile(r"[A-Z0-9-]{6,40}")  # openapi.yaml ReceiptNo
_KIOSK_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # config terminal.id / kiosk_id
TOKEN = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")  # openapi.yaml ProgressToken


class ReceiptQrRefused(ValueError):
    """A scanned code that must not be looked up; `reason` is stable (REASONS), for screens."""

    def __init__(self, reason: Reason):
        super().__init__(f"receipt QR refused: {reason}")
        self.reason: Reason = reason


@dataclass(frozen=True, slots=True)
class ProgressRef:
    ref: str
    kind: RefKind
    kiosk_id: str
    token: str

    def __repr__(self) -> str:  # the token opens the application's progress: never logged
        return f"ProgressRef({self.ref!r}, {self.kind!r}, {self.kiosk_id!r})"


def new_token() -> str:
    """A fresh progress token: 26 Crockford base32 characters, 130 random bits."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(TOKEN_CHARS))


def kind_of(ref: str) -> RefKind | None:
    """What a reference is by its shape, or None if it is neither."""
    if OUTBOX_REFERENCE.fullmatch(ref):
        return "outbox_reference"
    if _RECEIPT_NO.fullmatch(ref):
        return "receipt_no"
    return None


def make(ref: str, kiosk_id: str, token: str, *, kind: RefKind | None = None) -> str:
    """The QR text for `ref` printed at `kiosk_id`, opened by `token`. With `kind`, also check
    ref has that shape (a receipt number shaped like an outbox reference would come back as
    the wrong kind)."""
    found = kind_of(ref)
    if found is None:
        raise ValueError("reference is neither a receipt number nor an outbox reference")
    if kind is not None and found != kind:
        raise ValueError(f"reference has the shape of a {found}, not of a {kind}")
    if not _KIOSK_ID.fullmatch(kiosk_id):
        raise ValueError("kiosk id must be 1-64 characters of A-Z a-z 0-9 _ . -")
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise ValueError("a progress token is 26 Crockford base32 characters")
    return f"{PREFIX}:{CODE_KIND}:{VERSION}:{ref}:{kiosk_id}:{token}"


def parse(text: str) -> ProgressRef:
    """The reference and token a scanned code carries, or ReceiptQrRefused. Only the platform
    can say whether the token opens that reference: check the answer's receipt number."""
    if not isinstance(text, str):
        raise ReceiptQrRefused("malformed")
    if len(text) > MAX_TEXT:
        raise ReceiptQrRefused("too_long")
    if not text.startswith(PREFIX + ":"):
        raise ReceiptQrRefused("not_ours")
    parts = text.split(":")
    if len(parts) != 6 or parts[1] != CODE_KIND:
        raise ReceiptQrRefused("malformed")
    if parts[2] in OLD_VERSIONS:
        raise ReceiptQrRefused("old_code")
    if parts[2] != VERSION:
        raise ReceiptQrRefused("malformed")
    ref, kiosk_id, token = parts[3], parts[4], parts[5]
    kind = kind_of(ref)
    if kind is None or not _KIOSK_ID.fullmatch(kiosk_id) or not TOKEN.fullmatch(token):
        raise ReceiptQrRefused("malformed")
    return ProgressRef(ref, kind, kiosk_id, token)


def claimed_ref(text: str) -> str | None:
    """The reference a code claims: only for consistency checks on codes we made ourselves (a
    receipt must carry its own reference), never for look-ups."""
    parts = text.split(":") if isinstance(text, str) else []
    return parts[3] if len(parts) == 6 and parts[0] == PREFIX else None
