"""The progress QR printed on an application receipt: our own short, signed text format.

    GOVKIOSK:R:1:<ref>:<kiosk_id>:<sig>

- `GOVKIOSK` says the code is ours (anything else is `not_ours`: a payment code, a URL...).
- `R` is the kind of code (an application receipt), `1` the format version.
- `<ref>` is the platform's receipt number (受理号, e.g. `SL-20261123-000042`, the contract's
  `ReceiptNo`) or, while the application waits in the outbox, the terminal's outbox reference
  (`K` + 8 Crockford base32 characters, e.g. `K7Q2M9XH4`). The shape tells which: an outbox
  reference is exactly `K` + 8 Crockford characters, and `make(..., kind=...)` refuses to sign a
  receipt number of that shape, so the two can never be confused on paper.
- `<kiosk_id>` is the terminal that printed it (`[A-Za-z0-9_.-]{1,64}`, as in the config), so
  another terminal can tell "printed elsewhere" and look an outbox reference up at the platform
  rather than in its own outbox.
- `<sig>` is HMAC-SHA256, keyed with a FLEET-wide key, over everything before the last colon,
  truncated to 10 bytes (80 bits) and written in RFC 4648 base32 without padding (16 characters).
  Any terminal of the fleet can check any other's receipt; a code someone typed up, edited or
  invented is refused before anything is looked up.

Everything but a lower-case kiosk id is in the QR alphanumeric set (0-9 A-Z : -), which keeps a
typical code (~57 characters) at version 3 (29x29 modules) with error correction M.

`parse` raises only `ReceiptQrRefused`, whose `reason` is one of REASONS; the refused text itself
is never put in the message (it may be anything a citizen held up to the camera).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kiosk.outbox.store import REFERENCE as OUTBOX_REFERENCE

PREFIX = "GOVKIOSK"
CODE_KIND = "R"
VERSION = "1"
SIG_BYTES = 10
SIG_CHARS = 16  # base32 of 10 bytes, no padding
MIN_KEY_BYTES = 16
MAX_TEXT = 160  # longer than any code `make` can produce (13 + 40 + 1 + 64 + 1 + 16 = 135)

RefKind = Literal["receipt_no", "outbox_reference"]
Reason = Literal["not_ours", "malformed", "bad_signature", "too_long"]
REASONS: tuple[Reason, ...] = ("not_ours", "malformed", "bad_signature", "too_long")

_RECEIPT_NO = re.compile(r"[A-Z0-9-]{6,40}")  # openapi.yaml ReceiptNo
_KIOSK_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # config terminal.id / kiosk_id
_SIG = re.compile(r"[A-Z2-7]{16}")


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


def kind_of(ref: str) -> RefKind | None:
    """What a reference is by its shape, or None if it is neither."""
    if OUTBOX_REFERENCE.fullmatch(ref):
        return "outbox_reference"
    if _RECEIPT_NO.fullmatch(ref):
        return "receipt_no"
    return None


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the receipt QR key must be at least {MIN_KEY_BYTES} bytes")


def _sign(body: str, key: bytes) -> str:
    mac = hmac.new(bytes(key), body.encode("ascii"), hashlib.sha256).digest()[:SIG_BYTES]
    return base64.b32encode(mac).decode("ascii")  # 10 bytes: exactly 16 chars, no padding


def make(ref: str, kiosk_id: str, key: bytes, *, kind: RefKind | None = None) -> str:
    """The QR text for `ref` printed at `kiosk_id`. With `kind`, also check ref has that shape
    (a receipt number shaped like an outbox reference would come back as the wrong kind)."""
    _check_key(key)
    found = kind_of(ref)
    if found is None:
        raise ValueError("reference is neither a receipt number nor an outbox reference")
    if kind is not None and found != kind:
        raise ValueError(f"reference has the shape of a {found}, not of a {kind}")
    if not _KIOSK_ID.fullmatch(kiosk_id):
        raise ValueError("kiosk id must be 1-64 characters of A-Z a-z 0-9 _ . -")
    body = f"{PREFIX}:{CODE_KIND}:{VERSION}:{ref}:{kiosk_id}"
    return f"{body}:{_sign(body, key)}"


def parse(text: str, key: bytes | Sequence[bytes]) -> ProgressRef:
    """The reference a scanned code stands for, or ReceiptQrRefused. `key` may be several keys
    (newest first) while the fleet key is being rotated: receipts outlive a key."""
    keys = [key] if isinstance(key, bytes | bytearray) else list(key)
    if not keys:
        raise ValueError("no receipt QR key given")
    for k in keys:
        _check_key(k)
    if not isinstance(text, str):
        raise ReceiptQrRefused("malformed")
    if len(text) > MAX_TEXT:
        raise ReceiptQrRefused("too_long")
    if not text.startswith(PREFIX + ":"):
        raise ReceiptQrRefused("not_ours")
    parts = text.split(":")
    if len(parts) != 6 or parts[1] != CODE_KIND or parts[2] != VERSION:
        raise ReceiptQrRefused("malformed")
    ref, kiosk_id, sig = parts[3], parts[4], parts[5]
    kind = kind_of(ref)
    if kind is None or not _KIOSK_ID.fullmatch(kiosk_id) or not _SIG.fullmatch(sig):
        raise ReceiptQrRefused("malformed")
    body = text[: -(SIG_CHARS + 1)]
    # every key is tried (no early exit), so timing says nothing about which one matched
    valid = [hmac.compare_digest(_sign(body, k), sig) for k in keys]
    if not any(valid):
        raise ReceiptQrRefused("bad_signature")
    return ProgressRef(ref, kind, kiosk_id)


def claimed_ref(text: str) -> str | None:
    """The reference a code claims, WITHOUT checking its signature: only for consistency checks
    on codes we made ourselves (a receipt must carry its own reference), never for look-ups."""
    parts = text.split(":") if isinstance(text, str) else []
    return parts[3] if len(parts) == 6 and parts[0] == PREFIX else None
