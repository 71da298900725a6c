"""AES-256-GCM sealing of outbox payloads, each bound to the row it belongs to.

The associated data names the item (kind and idempotency key), so a ciphertext copied into
another row (to send one citizen's application under another's key) fails to open instead of
being delivered. A random 96-bit nonce per seal is safe here: a terminal seals far fewer than
the ~2^32 messages after which random GCM nonces start to risk a collision.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.outbox.keyfile import KEY_BYTES

FORMAT = b"\x01"  # leading byte of every sealed payload: lets a later format coexist
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = len(FORMAT) + NONCE_BYTES + TAG_BYTES


class SealError(Exception):
    """A payload does not open: wrong key, tampered bytes, or moved from another row."""


def associated_data(kind: str, idempotency_key: str) -> bytes:
    return b"govkiosk-outbox\x00" + kind.encode() + b"\x00" + idempotency_key.encode()


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"an outbox key is {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < OVERHEAD or sealed[:1] != FORMAT:
            raise SealError("sealed payload is truncated or of an unknown format")
        nonce = sealed[1:1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + NONCE_BYTES:], aad)
        except InvalidTag:
            raise SealError("sealed payload does not open: wrong key, altered bytes, "
                            "or a payload moved from another item") from None

    def __repr__(self) -> str:
        return "Sealer(<key hidden>)"
