"""A console command as signed bytes: the one format both the console and the terminal read.

The console signs the UTF-8 JSON payload with its Ed25519 key; the envelope carries the payload
exactly as signed (base64url), so no canonical form has to agree between the two sides. The
terminal parses the payload only after the signature holds, and then checks that the command
is for this terminal, not expired, an action it knows and a message it can show.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ACTIONS = ("out_of_service", "in_service", "restart", "screenshot")
MAX_MESSAGE = 200  # what the out-of-service notice holds (kiosk.admin.out_of_service.MAX_TEXT)
MAX_LIFETIME = dt.timedelta(hours=24)  # a command signed for longer is refused as malformed
CLOCK_SKEW = dt.timedelta(minutes=5)  # a terminal's clock may run this far behind the console's
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STAFF = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_FIELDS = {"command_id", "kiosk_id", "seq", "action", "message", "issued_by", "issued_at",
           "expires_at"}


class CommandRefused(Exception):
    """A command this terminal does not carry out; `reason` is a short code for both trails."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Command:
    command_id: str
    kiosk_id: str
    seq: int
    action: str
    message: str  # out_of_service only: what citizens read; "" for the other actions
    issued_by: str  # the console's staff user name (an attribution, never a citizen's data)
    issued_at: dt.datetime
    expires_at: dt.datetime

    def payload(self) -> dict[str, Any]:
        return {"command_id": self.command_id, "kiosk_id": self.kiosk_id, "seq": self.seq,
                "action": self.action, "message": self.message, "issued_by": self.issued_by,
                "issued_at": self.issued_at.isoformat(), "expires_at": self.expires_at.isoformat()}


def plain_message(text: str) -> str:
    """The message as citizens will read it: whitespace folded, no control or format
    characters (no escape sequences, no bidi overrides), at most MAX_MESSAGE characters."""
    folded = " ".join(text.split())
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in folded):
        raise CommandRefused("bad_message")
    if len(folded) > MAX_MESSAGE:
        raise CommandRefused("bad_message")
    return folded


def check_shape(command: Command) -> None:
    """What a command must be whoever made it (the console checks before signing, the
    terminal again after the signature holds)."""
    if not _ID.match(command.command_id) or not _ID.match(command.kiosk_id) \
            or not _STAFF.match(command.issued_by):
        raise CommandRefused("malformed")
    if isinstance(command.seq, bool) or not isinstance(command.seq, int) or command.seq < 1:
        raise CommandRefused("malformed")
    if command.action not in ACTIONS:
        raise CommandRefused("unknown_action")
    if command.issued_at.tzinfo is None or command.expires_at.tzinfo is None \
            or not command.issued_at < command.expires_at <= command.issued_at + MAX_LIFETIME:
        raise CommandRefused("malformed")
    if plain_message(command.message) != command.message:
        raise CommandRefused("bad_message")
    if (command.action == "out_of_service") != bool(command.message):
        raise CommandRefused("bad_message")


def sign(command: Command, key: Ed25519PrivateKey) -> dict[str, str]:
    """The envelope the platform stores and the terminal fetches."""
    check_shape(command)
    payload = json.dumps(command.payload(), ensure_ascii=False, sort_keys=True,
                         separators=(",", ":")).encode("utf-8")
    return {"command_id": command.command_id, "payload": _b64(payload),
            "signature": _b64(key.sign(payload))}


def verify(envelope: Any, key: Ed25519PublicKey, kiosk_id: str, now: dt.datetime) -> Command:
    """The command, if `key` signed it for `kiosk_id` and it is still valid at `now`.
    Sequence (replay) is the caller's: only it knows what was executed last."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("payload"), str) \
            or not isinstance(envelope.get("signature"), str):
        raise CommandRefused("malformed")
    try:
        payload = _unb64(envelope["payload"])
        signature = _unb64(envelope["signature"])
        key.verify(signature, payload)
    except (ValueError, binascii.Error, InvalidSignature):
        raise CommandRefused("bad_signature") from None
    try:
        data = json.loads(payload.decode("utf-8"))
        if not isinstance(data, dict) or set(data) != _FIELDS:
            raise ValueError("fields")
        command = Command(data["command_id"], data["kiosk_id"], data["seq"], data["action"],
                          data["message"], data["issued_by"],
                          dt.datetime.fromisoformat(data["issued_at"]),
                          dt.datetime.fromisoformat(data["expires_at"]))
        if not all(isinstance(getattr(command, f), str)
                   for f in ("command_id", "kiosk_id", "action", "message", "issued_by")):
            raise ValueError("types")
    except (ValueError, TypeError, UnicodeDecodeError):
        raise CommandRefused("malformed") from None
    check_shape(command)
    if envelope.get("command_id") != command.command_id:
        raise CommandRefused("malformed")  # the platform's label must be the signed one
    if command.kiosk_id != kiosk_id:
        raise CommandRefused("other_terminal")
    if now >= command.expires_at:
        raise CommandRefused("expired")
    if now + CLOCK_SKEW < command.issued_at:
        raise CommandRefused("not_yet_valid")
    return command


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if len(text) > 8192:
        raise ValueError("too long")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
