"""Typed, frozen cards parsed from the text block, and back to raw fields for the emulator.

A card's repr/str shows masked data only; `to_dict(masked=False)` is the one explicit way to the
full fields. The WLT photo is kept as a bytearray that `wipe()` zeroes; Python strings cannot
be scrubbed, so the session must drop its reference to the card (and `wipe()` it) on its end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from drivers.idcard import idnumber
from drivers.idcard.codes import GENDERS, NATIONS
from drivers.idcard.errors import CardFormatError, IdNumberError
from drivers.idcard.layout import PHOTO_LEN, TEXT_LEN, CardKind, decode_text, encode_text

LONG_TERM = "长期"
_OLD_FOREIGN_NUMBER = re.compile(r"\A[A-Z]{3}[0-9]{12}\Z")
_PASS_NUMBER = re.compile(r"\A[A-Z0-9]{8,9}\Z")
_ALPHA3 = re.compile(r"\A[A-Z]{3}\Z")
_DIGITS = re.compile(r"\A[0-9]*\Z")


def _date(text: str, name: str) -> dt.date:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise CardFormatError(f"{name} is not an 8-digit date")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardFormatError(f"{name} is not a valid calendar date") from None


def _fmt(d: dt.date | None) -> str:
    return LONG_TERM if d is None else d.strftime("%Y%m%d")


@dataclass(frozen=True, slots=True, repr=False, eq=False, kw_only=True)
class _Card:
    """What every card type has in common."""

    gender_code: str
    birth: dt.date
    id_number: str  # the card's number (permit number for foreign permanent residents)
    valid_from: dt.date
    valid_to: dt.date | None  # None: long-term (长期)
    photo_wlt: bytearray = field(default_factory=bytearray)

    kind: CardKind = CardKind.RESIDENT  # overridden per class

    @property
    def gender(self) -> str:
        return GENDERS.get(self.gender_code, "未知")

    @property
    def display_name(self) -> str:
        raise NotImplementedError

    def validity(self, today: dt.date | None = None) -> str:
        """'valid', 'expired' or 'not_yet_valid' on `today` (injectable for tests)."""
        today = today or dt.date.today()
        if today < self.valid_from:
            return "not_yet_valid"
        if self.valid_to is not None and today > self.valid_to:
            return "expired"
        return "valid"

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.validity(today) == "expired"

    def wipe(self) -> None:
        """Zero the photo in place (the text fields are immutable: drop the card)."""
        for i in range(len(self.photo_wlt)):
            self.photo_wlt[i] = 0
        self.photo_wlt.clear()

    def _fields(self) -> dict[str, Any]:
        raise NotImplementedError

    def _masked_fields(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_dict(self, *, masked: bool = True, today: dt.date | None = None) -> dict[str, Any]:
        """JSON-able fields; masked unless asked otherwise. The photo is summarised, not dumped."""
        data: dict[str, Any] = {"kind": str(self.kind)}
        data.update(self._masked_fields() if masked else self._fields())
        data["validity"] = self.validity(today)
        data["photo_wlt_bytes"] = len(self.photo_wlt)
        return data

    def to_description(self) -> dict[str, str]:
        """Raw field strings as stored on the card (what assets/cards/*.json hold)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._masked_fields().items())
        return f"{type(self).__name__}({inner})"

    __str__ = __repr__


def _masked_common(card: _Card, name: str) -> dict[str, Any]:
    return {"name": idnumber.mask_name(name), "gender": card.gender,
            "id_number": idnumber.mask_id_number(card.id_number),
            "valid_to": "长期" if card.valid_to is None else card.valid_to.isoformat()}


@dataclass(frozen=True, slots=True, repr=False, eq=False, kw_only=True)
class ResidentCard(_Card):
    """居民身份证."""

    name: str
    nation_code: str
    address: str
    authority: str
    kind: CardKind = CardKind.RESIDENT

    @property
    def nation(self) -> str:
        return NATIONS.get(self.nation_code, "")

    @property
    def display_name(self) -> str:
        return self.name

    def _fields(self) -> dict[str, Any]:
        return {"name": self.name, "gender": self.gender, "gender_code": self.gender_code,
                "nation": self.nation, "nation_code": self.nation_code,
                "birth": self.birth.isoformat(), "address": self.address,
                "id_number": self.id_number, "authority": self.authority,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": "长期" if self.valid_to is None else self.valid_to.isoformat()}

    def _masked_fields(self) -> dict[str, Any]:
        return _masked_common(self, self.name)

    def to_description(self) -> dict[str, str]:
        return {"name": self.name, "gender": self.gender_code, "nation": self.nation_code,
                "birth": _fmt(self.birth), "address": self.address, "id_number": self.id_number,
                "authority": self.authority, "valid_from": _fmt(self.valid_from),
                "valid_to": _fmt(self.valid_to)}


@dataclass(frozen=True, slots=True, repr=False, eq=False, kw_only=True)
class HmtResidencePermit(_Card):
    """港澳台居民居住证 (type flag 'J')."""

    name: str
    address: str
    authority: str
    pass_number: str  # 通行证号码
    issue_count: int  # 签发次数
    kind: CardKind = CardKind.HMT

    @property
    def region(self) -> str:
        return idnumber.HMT_PREFIXES.get(self.id_number[:6], "")

    @property
    def display_name(self) -> str:
        return self.name

    def _fields(self) -> dict[str, Any]:
        return {"name": self.name, "gender": self.gender, "gender_code": self.gender_code,
                "birth": self.birth.isoformat(), "address": self.address,
                "id_number": self.id_number, "authority": self.authority,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": "长期" if self.valid_to is None else self.valid_to.isoformat(),
                "pass_number": self.pass_number, "issue_count": self.issue_count,
                "region": self.region}

    def _masked_fields(self) -> dict[str, Any]:
        data = _masked_common(self, self.name)
        data["pass_number"] = idnumber.mask_id_number(self.pass_number)
        data["region"] = self.region
        return data

    def to_description(self) -> dict[str, str]:
        return {"name": self.name, "gender": self.gender_code, "birth": _fmt(self.birth),
                "address": self.address, "id_number": self.id_number,
                "authority": self.authority, "valid_from": _fmt(self.valid_from),
                "valid_to": _fmt(self.valid_to), "pass_number": self.pass_number,
                "issue_count": f"{self.issue_count:02d}"}


@dataclass(frozen=True, slots=True, repr=False, eq=False, kw_only=True)
class ForeignPermanentResidentCard(_Card):
    """外国人永久居留身份证: the 2017 card ('I') and the 2023 format ('Y')."""

    english_name: str
    chinese_name: str
    nationality: str  # ISO 3166-1 alpha-3
    version: str = ""  # 2017: card version (证件版本号)
    authority_code: str = ""  # 2017: 当次申请受理机关代码
    renewal_count: int = 0  # 2023: 换证次数
    previous_number_link: str = ""  # 2023: link to the former 15-character number
    kind: CardKind = CardKind.FOREIGN_2017

    @property
    def format_year(self) -> int:
        return 2023 if self.kind is CardKind.FOREIGN_2023 else 2017

    @property
    def display_name(self) -> str:
        return self.chinese_name or self.english_name

    def _fields(self) -> dict[str, Any]:
        data = {"english_name": self.english_name, "chinese_name": self.chinese_name,
                "gender": self.gender, "gender_code": self.gender_code,
                "nationality": self.nationality, "birth": self.birth.isoformat(),
                "id_number": self.id_number, "valid_from": self.valid_from.isoformat(),
                "valid_to": "长期" if self.valid_to is None else self.valid_to.isoformat(),
                "format": self.format_year}
        if self.kind is CardKind.FOREIGN_2017:
            data.update(version=self.version, authority_code=self.authority_code)
        else:
            data.update(renewal_count=self.renewal_count,
                        previous_number_link=self.previous_number_link)
        return data

    def _masked_fields(self) -> dict[str, Any]:
        data = _masked_common(self, self.display_name)
        data["english_name"] = idnumber.mask_name(self.english_name)
        data["nationality"] = self.nationality
        data["format"] = self.format_year
        return data

    def to_description(self) -> dict[str, str]:
        data = {"english_name": self.english_name, "chinese_name": self.chinese_name,
                "gender": self.gender_code, "id_number": self.id_number,
                "nationality": self.nationality, "birth": _fmt(self.birth),
                "valid_from": _fmt(self.valid_from), "valid_to": _fmt(self.valid_to)}
        if self.kind is CardKind.FOREIGN_2017:
            data.update(version=self.version, authority_code=self.authority_code)
        else:
            data.update(renewal_count=f"{self.renewal_count:02d}",
                        previous_number_link=self.previous_number_link)
        return data


Card = Union[ResidentCard, HmtResidencePermit, ForeignPermanentResidentCard]


# ---- text block -> card --------------------------------------------------------------------

def _gender(code: str) -> str:
    if code not in GENDERS:
        raise CardFormatError("gender code is not one of 0, 1, 2, 9")
    return code


def _valid_to(text: str) -> dt.date | None:
    return None if text == LONG_TERM else _date(text, "valid_to")


def _count(text: str, name: str) -> int:
    if not text:
        return 0
    if len(text) > 2 or not text.isascii() or not text.isdigit():
        raise CardFormatError(f"{name} is not a number")
    return int(text)


def _validated_number(number: str, today: dt.date | None, *, foreign: bool = False) -> str:
    try:
        return idnumber.validate(number, today=today, foreign=foreign)
    except IdNumberError as exc:
        raise CardFormatError(str(exc)) from None


def _dates(f: Mapping[str, str]) -> tuple[dt.date, dt.date, dt.date | None]:
    birth = _date(f["birth"], "birth")
    valid_from = _date(f["valid_from"], "valid_from")
    valid_to = _valid_to(f["valid_to"])
    if valid_to is not None and valid_to < valid_from:
        raise CardFormatError("valid_to is before valid_from")
    if valid_from < birth:
        raise CardFormatError("valid_from is before the birth date")
    return birth, valid_from, valid_to


def _need(f: Mapping[str, str], *names: str) -> None:
    for name in names:
        if not f.get(name):
            raise CardFormatError(f"field {name!r} is empty")


def parse_text(block: bytes, photo: bytes = b"", *, today: dt.date | None = None) -> Card:
    """Parse a 256-byte text block (+ 1024-byte WLT photo) into a typed card.

    Raises CardFormatError (with no personal data in the message) for anything that is not a
    consistent card: unknown type flag, bad UCS-2, impossible dates, bad check digit.
    """
    kind, f = decode_text(block)
    photo_buf = bytearray(photo)
    gender = _gender(f["gender"])
    birth, valid_from, valid_to = _dates(f)
    if kind is CardKind.RESIDENT:
        _need(f, "name", "id_number", "address", "authority")
        number = _validated_number(f["id_number"], today)
        if f["nation"] not in NATIONS:
            raise CardFormatError("nation code is unknown")
        _check_birth(number, birth)
        return ResidentCard(name=f["name"], gender_code=gender, nation_code=f["nation"],
                            birth=birth, address=f["address"], id_number=number,
                            authority=f["authority"], valid_from=valid_from, valid_to=valid_to,
                            photo_wlt=photo_buf)
    if kind is CardKind.HMT:
        _need(f, "name", "id_number", "pass_number")
        number = _validated_number(f["id_number"], today)
        if number[:6] not in idnumber.HMT_PREFIXES:
            raise CardFormatError("residence permit number does not start 810000/820000/830000")
        if not _PASS_NUMBER.match(f["pass_number"]):
            raise CardFormatError("pass number is not 8-9 letters or digits")
        _check_birth(number, birth)
        return HmtResidencePermit(name=f["name"], gender_code=gender, birth=birth,
                                  address=f["address"], id_number=number,
                                  authority=f["authority"], valid_from=valid_from,
                                  valid_to=valid_to, pass_number=f["pass_number"],
                                  issue_count=_count(f["issue_count"], "issue_count"),
                                  photo_wlt=photo_buf)
    _need(f, "english_name", "id_number", "nationality")
    if not _ALPHA3.match(f["nationality"]):
        raise CardFormatError("nationality is not a 3-letter code")
    if kind is CardKind.FOREIGN_2017:
        if not _OLD_FOREIGN_NUMBER.match(f["id_number"]):
            raise CardFormatError("2017 permit number is not 3 letters and 12 digits")
        if not _DIGITS.match(f["version"]) or not _DIGITS.match(f["authority_code"]):
            raise CardFormatError("version or authority code is not numeric")
        return ForeignPermanentResidentCard(
            kind=kind, english_name=f["english_name"], chinese_name=f["chinese_name"],
            gender_code=gender, id_number=f["id_number"], nationality=f["nationality"],
            birth=birth, valid_from=valid_from, valid_to=valid_to, version=f["version"],
            authority_code=f["authority_code"], photo_wlt=photo_buf)
    number = _validated_number(f["id_number"], today, foreign=True)
    _check_birth(number, birth)
    return ForeignPermanentResidentCard(
        kind=kind, english_name=f["english_name"], chinese_name=f["chinese_name"],
        gender_code=gender, id_number=number, nationality=f["nationality"], birth=birth,
        valid_from=valid_from, valid_to=valid_to,
        renewal_count=_count(f["renewal_count"], "renewal_count"),
        previous_number_link=f["previous_number_link"], photo_wlt=photo_buf)


def _check_birth(number: str, birth: dt.date) -> None:
    if idnumber.birth_date_of(number) != birth:
        raise CardFormatError("birth date field disagrees with the identity number")


# ---- the read-base-info reply ----------------------------------------------------------------

def split_base_info(data: bytes) -> tuple[bytes, bytes]:
    """Reply data of READ_BASE: text length (2, BE), photo length (2, BE), text, photo.

    A READ_BASE_FP reply carries a third length (fingerprint) after the first two; its bytes
    are ignored here.
    """
    if len(data) < 4:
        raise CardFormatError("base info reply shorter than its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    header = 4
    if len(data) != header + text_len + photo_len and len(data) >= 6:
        fp_len = int.from_bytes(data[4:6], "big")
        if len(data) == 6 + text_len + photo_len + fp_len:
            header = 6
    if text_len != TEXT_LEN or photo_len not in (0, PHOTO_LEN):
        raise CardFormatError("base info reply has unexpected text/photo lengths")
    if len(data) < header + text_len + photo_len:
        raise CardFormatError("base info reply is shorter than its length fields say")
    text = data[header:header + text_len]
    photo = data[header + text_len:header + text_len + photo_len]
    return bytes(text), bytes(photo)


def build_base_info(text: bytes, photo: bytes) -> bytes:
    if len(text) != TEXT_LEN or len(photo) not in (0, PHOTO_LEN):
        raise CardFormatError("text must be 256 bytes and photo 0 or 1024 bytes")
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo


def parse_base_info(data: bytes, *, today: dt.date | None = None) -> Card:
    text, photo = split_base_info(data)
    return parse_text(text, photo, today=today)


# ---- description (assets/cards/*.json) -> text block -----------------------------------------

KINDS_BY_NAME = {str(k): k for k in CardKind}


def encode_description(description: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(text block, photo) for a card description: {"type": kind, <raw fields>..., "photo_hex"?}.

    No validation beyond the layout: the emulator must be able to present a bad card too.
    """
    desc = dict(description)
    kind_name = desc.pop("type", None)
    desc.pop("comment", None)
    if kind_name not in KINDS_BY_NAME:
        raise CardFormatError(f"card type must be one of {sorted(KINDS_BY_NAME)}")
    photo_hex = desc.pop("photo_hex", None)
    if photo_hex is not None:
        photo = bytes.fromhex(photo_hex)
        if len(photo) != PHOTO_LEN:
            raise CardFormatError("photo_hex must be 1024 bytes")
    else:
        photo = placeholder_photo(str(desc.get("id_number", "")))
    text = encode_text(KINDS_BY_NAME[kind_name], {k: str(v) for k, v in desc.items()})
    return text, photo


def describe(card: Card) -> dict[str, str]:
    return {"type": str(card.kind), **card.to_description()}


def placeholder_photo(seed: str) -> bytes:
    """1024 deterministic bytes standing in for a WLT photo (not a decodable image)."""
    import hashlib

    out = bytearray()
    block = seed.encode()
    while len(out) < PHOTO_LEN:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:PHOTO_LEN])
