"""Byte layouts of the 256-byte text block of the four card types, both directions.

One description of each layout serves the driver (decode) and the emulator (encode). Text is
UCS-2 little-endian, fields padded with spaces. The UCS-2 character at byte 248 tells the
layout: 'I' foreign permanent resident card (2017), 'Y' its 2023 format, 'J' the residence
permit of Hong Kong/Macao/Taiwan residents, a space (or NUL) the resident identity card.

Sources: GA/T 467 vendor protocol notes and public SDK structs (t_idcardinfor,
t_idforeigner, t_idforeigner2023); byte offsets below are checked to add up to 256.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from drivers.idcard.errors import CardFormatError

TEXT_LEN = 256
PHOTO_LEN = 1024
FLAG_OFFSET = 248


class CardKind(enum.StrEnum):
    RESIDENT = "resident"
    FOREIGN_2017 = "foreign_permanent_2017"
    FOREIGN_2023 = "foreign_permanent_2023"
    HMT = "hmt_residence_permit"


FLAGS = {"I": CardKind.FOREIGN_2017, "Y": CardKind.FOREIGN_2023, "J": CardKind.HMT}
FLAG_OF = {kind: flag for flag, kind in FLAGS.items()}


@dataclass(frozen=True, slots=True)
class Field:
    """A text field; most occupy one span, the 2023 English name two (35 + 11 characters)."""

    name: str
    spans: tuple[tuple[int, int], ...]  # (byte offset, byte size)

    @property
    def chars(self) -> int:
        return sum(size for _, size in self.spans) // 2


def _f(name: str, *spans: tuple[int, int]) -> Field:
    return Field(name, spans)


LAYOUTS: dict[CardKind, tuple[Field, ...]] = {
    CardKind.RESIDENT: (
        _f("name", (0, 30)), _f("gender", (30, 2)), _f("nation", (32, 4)),
        _f("birth", (36, 16)), _f("address", (52, 70)), _f("id_number", (122, 36)),
        _f("authority", (158, 30)), _f("valid_from", (188, 16)), _f("valid_to", (204, 16)),
        # 220..256 reserved
    ),
    CardKind.HMT: (
        _f("name", (0, 30)), _f("gender", (30, 2)),  # 32..36 reserved
        _f("birth", (36, 16)), _f("address", (52, 70)), _f("id_number", (122, 36)),
        _f("authority", (158, 30)), _f("valid_from", (188, 16)), _f("valid_to", (204, 16)),
        _f("pass_number", (220, 18)), _f("issue_count", (238, 4)),  # 242..248 reserved
        _f("type_flag", (248, 2)),  # 250..256 reserved
    ),
    CardKind.FOREIGN_2017: (
        _f("english_name", (0, 120)), _f("gender", (120, 2)), _f("id_number", (122, 30)),
        _f("nationality", (152, 6)), _f("chinese_name", (158, 30)),
        _f("valid_from", (188, 16)), _f("valid_to", (204, 16)), _f("birth", (220, 16)),
        _f("version", (236, 4)), _f("authority_code", (240, 8)),
        _f("type_flag", (248, 2)),  # 250..256 reserved
    ),
    CardKind.FOREIGN_2023: (
        _f("chinese_name", (0, 30)), _f("gender", (30, 2)), _f("renewal_count", (32, 4)),
        _f("birth", (36, 16)), _f("english_name", (52, 70), (220, 22)),
        _f("id_number", (122, 36)),  # 158..188 reserved
        _f("valid_from", (188, 16)), _f("valid_to", (204, 16)),
        _f("nationality", (242, 6)), _f("type_flag", (248, 2)),
        _f("previous_number_link", (250, 6)),  # links to the old 15-character number
    ),
}


def _check_layouts() -> None:
    for kind, fields in LAYOUTS.items():
        taken: set[int] = set()
        for field in fields:
            for offset, size in field.spans:
                span = set(range(offset, offset + size))
                if size % 2 or offset % 2 or offset + size > TEXT_LEN or span & taken:
                    raise RuntimeError(f"layout {kind}: field {field.name} is misplaced")
                taken |= span
        flag = [f for f in fields if f.name == "type_flag"]
        if kind is not CardKind.RESIDENT and flag[0].spans != ((FLAG_OFFSET, 2),):
            raise RuntimeError(f"layout {kind}: type flag not at byte {FLAG_OFFSET}")


_check_layouts()


def kind_of(block: bytes) -> CardKind:
    if len(block) != TEXT_LEN:
        raise CardFormatError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    flag = int.from_bytes(block[FLAG_OFFSET:FLAG_OFFSET + 2], "little")
    if flag in (0x20, 0x00):
        return CardKind.RESIDENT
    kind = FLAGS.get(chr(flag)) if flag < 0x80 else None
    if kind is None:
        raise CardFormatError(f"unknown card type flag U+{flag:04X} at byte {FLAG_OFFSET}")
    return kind


def _decode_span(block: bytes, offset: int, size: int, field: str) -> str:
    try:
        return block[offset:offset + size].decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardFormatError(f"field {field!r} is not valid UCS-2 text") from None


def decode_text(block: bytes) -> tuple[CardKind, dict[str, str]]:
    """Split a text block into raw field strings (padding stripped), by its type flag."""
    block = bytes(block)
    kind = kind_of(block)
    out: dict[str, str] = {}
    for field in LAYOUTS[kind]:
        text = "".join(_decode_span(block, o, s, field.name) for o, s in field.spans)
        text = text.rstrip(" \x00").lstrip(" ")
        if any(unicodedata.category(c).startswith("C") for c in text):
            raise CardFormatError(f"field {field.name!r} contains control characters")
        out[field.name] = text
    out.pop("type_flag", None)
    return kind, out


def encode_text(kind: CardKind, values: Mapping[str, str]) -> bytes:
    """The 256-byte block for `values` (raw field strings as printed on the card)."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    fields = {f.name: f for f in LAYOUTS[kind]}
    values = dict(values)
    if "type_flag" in fields:
        values["type_flag"] = FLAG_OF[kind]
    unknown = set(values) - set(fields)
    if unknown:
        raise CardFormatError(f"{kind} has no field(s) {sorted(unknown)}")
    for name, value in values.items():
        field = fields[name]
        if any(ord(c) > 0xFFFF for c in value):
            raise CardFormatError(f"field {name!r} has characters outside UCS-2")
        if len(value) > field.chars:
            raise CardFormatError(f"field {name!r} is longer than {field.chars} characters")
        raw = value.ljust(field.chars).encode("utf-16-le")
        pos = 0
        for offset, size in field.spans:
            block[offset:offset + size] = raw[pos:pos + size]
            pos += size
    return bytes(block)
