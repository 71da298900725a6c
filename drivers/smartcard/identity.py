"""The identity file of the project's eID / social-security card applet: TLV codec and masking.

File EF 0101 under the applet holds one BER-TLV template (tag 61) with primitive fields:
  80 ID number (ASCII, 15 or 18 characters)   81 name (UTF-8)
  82 card number (ASCII)                       83 expiry date YYYYMMDD (ASCII)
  84 issuer (UTF-8, optional)
Unknown tags inside the template are skipped so that a later card generation can add fields.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from drivers.idcard.idnumber import mask_id_number, mask_name  # one masking rule project-wide

__all__ = ["Identity", "IdentityFormatError", "mask_id_number", "mask_name", "mask_tail"]

TAG_TEMPLATE = 0x61
TAG_ID_NUMBER = 0x80
TAG_NAME = 0x81
TAG_CARD_NUMBER = 0x82
TAG_EXPIRY = 0x83
TAG_ISSUER = 0x84

_ID_RE = re.compile(r"^([0-9]{15}|[0-9]{17}[0-9X])$")
_CARD_RE = re.compile(r"^[A-Z0-9]{4,32}$")


class IdentityFormatError(ValueError):
    """The identity file is not a well-formed template; the message never quotes its content."""


def mask_tail(value: str, keep: int = 4) -> str:
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


# ---- BER-TLV (single-byte tags, definite lengths up to 0xFFFF) ---------------------------------

def encode_tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    elif n <= 0xFFFF:
        length = bytes([0x82]) + n.to_bytes(2, "big")
    else:
        raise ValueError("TLV value too long")
    return bytes([tag]) + length + value


def decode_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """Split `data` into (tag, value) pairs; raise IdentityFormatError on truncation."""
    out: list[tuple[int, bytes]] = []
    i = 0
    while i < len(data):
        tag = data[i]
        if tag in (0x00, 0xFF):  # padding between objects, as ISO 7816-4 allows
            i += 1
            continue
        if tag & 0x1F == 0x1F:
            raise IdentityFormatError(f"multi-byte tag at offset {i} is not used by this card")
        if i + 1 >= len(data):
            raise IdentityFormatError(f"tag {tag:02X} at offset {i} has no length")
        first = data[i + 1]
        i += 2
        if first < 0x80:
            length = first
        elif first in (0x81, 0x82):
            nbytes = first - 0x80
            if i + nbytes > len(data):
                raise IdentityFormatError(f"length of tag {tag:02X} is truncated")
            length = int.from_bytes(data[i:i + nbytes], "big")
            i += nbytes
        else:
            raise IdentityFormatError(f"unsupported length byte {first:02X} for tag {tag:02X}")
        if i + length > len(data):
            raise IdentityFormatError(
                f"tag {tag:02X} declares {length} bytes, only {len(data) - i} left")
        out.append((tag, bytes(data[i:i + length])))
        i += length
    return out


@dataclass(frozen=True, slots=True)
class Identity:
    """What the card says about its holder. `repr`/`str` are masked so a log line cannot leak it."""

    id_number: str
    name: str
    card_number: str
    expiry: _dt.date
    issuer: str = ""

    def __post_init__(self) -> None:
        if not _ID_RE.fullmatch(self.id_number):
            raise IdentityFormatError("ID number is not 15 digits or 17 digits plus check char")
        if not self.name or len(self.name) > 64 or not self.name.isprintable():
            raise IdentityFormatError("name is empty, too long or has control characters")
        if not _CARD_RE.fullmatch(self.card_number):
            raise IdentityFormatError("card number is not 4-32 characters A-Z 0-9")
        if len(self.issuer) > 64 or not self.issuer.isprintable():
            raise IdentityFormatError("issuer is too long or has control characters")

    def expired(self, today: _dt.date | None = None) -> bool:
        return (today or _dt.date.today()) > self.expiry

    def as_dict(self, unmasked: bool = False) -> dict[str, Any]:
        if unmasked:
            return {"id_number": self.id_number, "name": self.name,
                    "card_number": self.card_number, "expiry": self.expiry.isoformat(),
                    "issuer": self.issuer}
        return {"id_number": mask_id_number(self.id_number), "name": mask_name(self.name),
                "card_number": mask_tail(self.card_number), "expiry": self.expiry.isoformat(),
                "issuer": self.issuer}

    def __repr__(self) -> str:
        d = self.as_dict()
        return (f"Identity(id_number={d['id_number']!r}, name={d['name']!r}, "
                f"card_number={d['card_number']!r}, expiry={d['expiry']!r})")

    __str__ = __repr__

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Identity:
        try:
            expiry = d["expiry"]
            if not isinstance(expiry, _dt.date):
                expiry = _parse_date(str(expiry))
            return cls(str(d["id_number"]), str(d["name"]), str(d["card_number"]), expiry,
                       str(d.get("issuer", "")))
        except KeyError as exc:
            raise IdentityFormatError(f"identity lacks field {exc.args[0]!r}") from None

    def encode(self) -> bytes:
        body = b"".join([
            encode_tlv(TAG_ID_NUMBER, self.id_number.encode("ascii")),
            encode_tlv(TAG_NAME, self.name.encode("utf-8")),
            encode_tlv(TAG_CARD_NUMBER, self.card_number.encode("ascii")),
            encode_tlv(TAG_EXPIRY, self.expiry.strftime("%Y%m%d").encode("ascii")),
            encode_tlv(TAG_ISSUER, self.issuer.encode("utf-8")) if self.issuer else b"",
        ])
        return encode_tlv(TAG_TEMPLATE, body)

    @classmethod
    def decode(cls, data: bytes) -> Identity:
        """Parse the identity file; IdentityFormatError names what is wrong, never the values."""
        top = decode_tlvs(data)
        templates = [v for t, v in top if t == TAG_TEMPLATE]
        if len(templates) != 1:
            raise IdentityFormatError(
                f"expected one identity template (61), found {len(templates)}")
        fields: dict[int, bytes] = {}
        for tag, value in decode_tlvs(templates[0]):
            if tag in fields:
                raise IdentityFormatError(f"tag {tag:02X} appears twice")
            fields[tag] = value
        for tag, label in ((TAG_ID_NUMBER, "ID number"), (TAG_NAME, "name"),
                           (TAG_CARD_NUMBER, "card number"), (TAG_EXPIRY, "expiry")):
            if tag not in fields:
                raise IdentityFormatError(f"identity template lacks the {label} ({tag:02X})")
        try:
            id_number = fields[TAG_ID_NUMBER].decode("ascii")
            card_number = fields[TAG_CARD_NUMBER].decode("ascii")
            expiry_text = fields[TAG_EXPIRY].decode("ascii")
            name = fields[TAG_NAME].decode("utf-8")
            issuer = fields.get(TAG_ISSUER, b"").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IdentityFormatError(f"a field is not valid text ({exc.reason})") from None
        return cls(id_number, name, card_number, _parse_date(expiry_text), issuer)


def _parse_date(text: str) -> _dt.date:
    digits = text.replace("-", "")
    if not re.fullmatch(r"[0-9]{8}", digits):
        raise IdentityFormatError("expiry is not a YYYYMMDD date")
    try:
        return _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdentityFormatError("expiry is not a real calendar date") from None
