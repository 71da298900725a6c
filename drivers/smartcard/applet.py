"""The project's own card application: an eID / social-security card applet, as pure logic.

`CardApplet.process(apdu) -> response` is all a virtual card (or a test) needs; it never raises
and always ends its answer with a valid status word. Behaviour, per ISO 7816-4 (CLA 00 only):

  SELECT     00 A4 04 00|0C  AID      select the applet (FCI 6F/84 returned when P2=00)
  SELECT     00 A4 02|00 0C  FID(2)   select an EF inside the applet
  READ BINARY 00 B0 off_hi off_lo Le  read the current EF (6282 when it ends before Le)
  VERIFY     00 20 00 01 PIN          unlock protected files (63Cx tries left, 6983 blocked)
  INTERNAL AUTHENTICATE 00 88 00 00|01 data   the card key's signature over it
                                     (card_auth.py; 6A88 on a card without a key). P2=01 is
                                     the holder proof: only after VERIFY (else 6982)
  GET RESPONSE 00 C0 00 00 Le         T=0 cards hand long answers out this way (61xx)

Files: EF 0101 identity (TLV, see identity.py), EF 0102 social-security details (PIN protected),
EF 0103 the card key's certificate from the card issuer (X.509 DER), when the card has a key.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from drivers.smartcard.apdu import (
    SW_AUTH_BLOCKED, SW_CLA_NOT_SUPPORTED, SW_END_OF_FILE, SW_FILE_NOT_FOUND,
    SW_FUNC_NOT_SUPPORTED, SW_INCORRECT_P1P2, SW_INS_NOT_SUPPORTED, SW_NO_CURRENT_EF, SW_OK,
    SW_SECURITY_NOT_SATISFIED, SW_WRONG_LENGTH, SW_WRONG_P1P2, ApduError, CommandApdu)
from drivers.smartcard.card_auth import HOLDER_CONTEXT, sign_challenge
from drivers.smartcard.identity import Identity

log = logging.getLogger(__name__)

APPLET_AID = bytes.fromhex("F04B494F534B45494401")  # F0 = proprietary RID, "KIOSKEID" v1
EF_IDENTITY = 0x0101
EF_SOCIAL = 0x0102
EF_CERTIFICATE = 0x0103
SW_REFERENCED_DATA_NOT_FOUND = 0x6A88
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_NO_PRECISE_DIAGNOSIS = 0x6F00
PIN_TRIES = 3

_HISTORICAL = b"KIOSKEID"


def default_atr(protocol: Literal["T0", "T1"]) -> bytes:
    """An ATR offering only T=0 (`3B 08 ...`) or only T=1 (`3B 88 80 01 ... TCK`)."""
    if protocol == "T0":
        return bytes([0x3B, 0x00 | len(_HISTORICAL)]) + _HISTORICAL
    body = bytes([0x88, 0x80, 0x01]) + _HISTORICAL
    tck = 0
    for b in body:
        tck ^= b
    return bytes([0x3B]) + body + bytes([tck])


@dataclass
class CardProfile:
    """One card's content. Build it from a dict (or a JSON file) such as:
    {"identity": {"id_number": "...", "name": "...", "card_number": "...", "expiry": "2030-01-01"},
     "protocol": "T1", "pin": "123456", "pin_tries": 3, "social": "any text",
     "atr": "3B..." (optional),
     "auth_key_pem": "-----BEGIN PRIVATE KEY-----...", "certificate_der": "30 82..." (hex)}
    A card without "identity" is a foreign card: it answers SELECT of our AID with 6A82. A
    card without a key and certificate cannot authenticate: it is what a forger can make.
    """

    identity: Identity | None
    protocol: Literal["T0", "T1"] = "T1"
    pin: str = "123456"
    social: bytes = b""
    atr: bytes = b""
    auth_key: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)
    certificate: bytes = b""
    pin_tries: int = PIN_TRIES  # wrong PINs in a row before the card blocks its PIN

    def __post_init__(self) -> None:
        if not 1 <= self.pin_tries <= 15:
            raise ValueError("pin_tries is 1 to 15 (the low nibble of 63Cx)")
        if not self.atr:
            self.atr = default_atr(self.protocol)
        if not 2 <= len(self.atr) <= 33:
            raise ValueError("an ATR is 2 to 33 bytes")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CardProfile:
        protocol = d.get("protocol", "T1")
        if protocol not in ("T0", "T1"):
            raise ValueError("protocol must be 'T0' or 'T1'")
        identity = Identity.from_dict(d["identity"]) if d.get("identity") else None
        social = d.get("social", "")
        key = None
        if d.get("auth_key_pem"):
            loaded = serialization.load_pem_private_key(d["auth_key_pem"].encode("ascii"), None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise ValueError("the card key must be an EC key")
            key = loaded
        return cls(identity, protocol, str(d.get("pin", "123456")),
                   social.encode("utf-8") if isinstance(social, str) else bytes(social),
                   bytes.fromhex(d["atr"]) if d.get("atr") else b"", key,
                   bytes.fromhex(d.get("certificate_der", "")),
                   int(d.get("pin_tries", PIN_TRIES)))

    @classmethod
    def from_file(cls, path: str | Path) -> CardProfile:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass
class CardApplet:
    """The applet's state between APDUs; `reset()` is what a power cycle does."""

    profile: CardProfile
    selected: bool = False
    current_ef: int | None = None
    pin_verified: bool = False
    pin_tries: int = -1  # survives resets, as on a real card's EEPROM (-1: the profile's)
    _pending: bytes = field(default=b"", repr=False)  # T=0 data waiting for GET RESPONSE

    def __post_init__(self) -> None:
        if self.pin_tries < 0:
            self.pin_tries = self.profile.pin_tries

    def reset(self) -> None:
        self.selected = False
        self.current_ef = None
        self.pin_verified = False
        self._pending = b""

    def process(self, raw: bytes) -> bytes:
        """Answer one command APDU. Never raises; the answer always ends in a status word."""
        try:
            return self._process(bytes(raw))
        except Exception:  # a bug in the applet must look like a mute-ish card, not crash
            log.exception("applet failed on a %d-byte APDU", len(raw))
            return _sw(SW_NO_PRECISE_DIAGNOSIS)

    # ---- commands ---------------------------------------------------------------------

    def _process(self, raw: bytes) -> bytes:
        try:
            cmd = CommandApdu.parse(raw)
        except ApduError:
            return _sw(SW_WRONG_LENGTH)
        if cmd.cla != 0x00:
            return _sw(SW_CLA_NOT_SUPPORTED)
        if cmd.ins == 0xC0:
            return self._get_response(cmd)
        self._pending = b""
        handler = {0xA4: self._select, 0xB0: self._read_binary, 0x20: self._verify,
                   0x88: self._internal_authenticate}.get(cmd.ins)
        if handler is None:
            return _sw(SW_INS_NOT_SUPPORTED)
        return handler(cmd)

    def _files(self) -> dict[int, tuple[bytes, bool]]:
        """FID -> (content, needs PIN)."""
        ident = self.profile.identity
        if ident is None:
            return {}
        files = {EF_IDENTITY: (ident.encode(), False), EF_SOCIAL: (self.profile.social, True)}
        if self.profile.certificate:
            files[EF_CERTIFICATE] = (self.profile.certificate, False)
        return files

    def _select(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 == 0x04:
            if cmd.p2 not in (0x00, 0x0C):
                return _sw(SW_INCORRECT_P1P2)
            if not cmd.data:
                return _sw(SW_WRONG_LENGTH)
            if cmd.data != APPLET_AID or self.profile.identity is None:
                return _sw(SW_FILE_NOT_FOUND)
            self.selected, self.current_ef, self.pin_verified = True, None, False
            if cmd.p2 == 0x0C:
                return _sw(SW_OK)
            fci = bytes([0x6F, len(APPLET_AID) + 2, 0x84, len(APPLET_AID)]) + APPLET_AID
            return self._answer(cmd, fci)
        if cmd.p1 in (0x00, 0x02):
            if cmd.p2 not in (0x00, 0x0C):
                return _sw(SW_INCORRECT_P1P2)
            if len(cmd.data) != 2:
                return _sw(SW_WRONG_LENGTH)
            fid = int.from_bytes(cmd.data, "big")
            if not self.selected or fid not in self._files():
                return _sw(SW_FILE_NOT_FOUND)
            self.current_ef = fid
            return _sw(SW_OK)
        return _sw(SW_INCORRECT_P1P2)

    def _read_binary(self, cmd: CommandApdu) -> bytes:
        if cmd.data or cmd.le is None:
            return _sw(SW_WRONG_LENGTH)
        if cmd.p1 & 0x80:
            return _sw(SW_FUNC_NOT_SUPPORTED)  # short-EF-identifier addressing
        if self.current_ef is None:
            return _sw(SW_NO_CURRENT_EF)
        content, protected = self._files()[self.current_ef]
        if protected and not self.pin_verified:
            return _sw(SW_SECURITY_NOT_SATISFIED)
        offset = (cmd.p1 << 8) | cmd.p2
        if offset > len(content):
            return _sw(SW_WRONG_P1P2)
        chunk = content[offset:offset + cmd.le]
        if len(chunk) < cmd.le:
            return chunk + _sw(SW_END_OF_FILE)
        return chunk + _sw(SW_OK)

    def _verify(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 != 0x00 or cmd.p2 != 0x01:
            return _sw(SW_INCORRECT_P1P2)
        if not self.selected:
            return _sw(SW_CONDITIONS_NOT_SATISFIED)
        if self.pin_tries == 0:
            return _sw(SW_AUTH_BLOCKED)
        if not cmd.data:
            return _sw(0x63C0 | self.pin_tries)
        if cmd.data == self.profile.pin.encode("ascii", "replace"):
            self.pin_verified, self.pin_tries = True, self.profile.pin_tries
            return _sw(SW_OK)
        self.pin_verified = False
        self.pin_tries -= 1
        return _sw(SW_AUTH_BLOCKED if self.pin_tries == 0 else 0x63C0 | self.pin_tries)

    def _internal_authenticate(self, cmd: CommandApdu) -> bytes:
        if cmd.p1 or cmd.p2 not in (0x00, 0x01):
            return _sw(SW_INCORRECT_P1P2)
        if not self.selected:
            return _sw(SW_CONDITIONS_NOT_SATISFIED)
        if not 16 <= len(cmd.data) <= 64:
            return _sw(SW_WRONG_LENGTH)
        if self.profile.auth_key is None:
            return _sw(SW_REFERENCED_DATA_NOT_FOUND)
        if cmd.p2 == 0x01:
            if not self.pin_verified:
                return _sw(SW_SECURITY_NOT_SATISFIED)
            return self._answer(cmd, sign_challenge(self.profile.auth_key, cmd.data,
                                                    HOLDER_CONTEXT))
        return self._answer(cmd, sign_challenge(self.profile.auth_key, cmd.data))

    def _get_response(self, cmd: CommandApdu) -> bytes:
        if not self._pending:
            return _sw(SW_CONDITIONS_NOT_SATISFIED)
        if cmd.p1 or cmd.p2:
            return _sw(SW_INCORRECT_P1P2)
        if cmd.data or cmd.le is None:
            return _sw(SW_WRONG_LENGTH)
        chunk, self._pending = self._pending[:cmd.le], self._pending[cmd.le:]
        if self._pending:
            return chunk + bytes([0x61, min(len(self._pending), 256) & 0xFF])
        return chunk + _sw(SW_OK)

    def _answer(self, cmd: CommandApdu, data: bytes) -> bytes:
        """T=1 returns data at once; T=0 announces it with 61xx for GET RESPONSE."""
        if self.profile.protocol == "T0":
            self._pending = data
            return bytes([0x61, len(data) & 0xFF])
        return data[:cmd.le or 256] + _sw(SW_OK)


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")
