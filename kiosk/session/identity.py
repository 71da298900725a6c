"""Who the citizen at the screen is, whatever they identified with (ID card, smartcard, QR).

One type for every source so that journeys never care how the citizen identified. `repr`/`str`
(and so f-strings and log arguments) show masked data only; the full number and name are read
only through their attributes, on purpose, by the code that sends them to the platform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from drivers.idcard import idnumber
from drivers.idcard.card import ForeignPermanentResidentCard, HmtResidencePermit, ResidentCard
from drivers.smartcard.identity import Identity as SmartcardIdentity

# The Applicant.id_kind enum of kiosk/api/openapi.yaml (tests check they agree).
ID_KINDS = ("resident", "foreign_permanent", "hk_macao_resident", "taiwan_resident",
            "hk_macao_permit", "taiwan_permit")
SOURCES = ("idcard", "smartcard", "qr")
IdKind = Literal["resident", "foreign_permanent", "hk_macao_resident", "taiwan_resident",
                 "hk_macao_permit", "taiwan_permit"]
Source = Literal["idcard", "smartcard", "qr"]

_HMT_KINDS: dict[str, IdKind] = {"810000": "hk_macao_resident", "820000": "hk_macao_resident",
              "830000": "taiwan_resident"}


class IdentityError(ValueError):
    """An identity could not be built; the message names the rule, never the value."""


@dataclass(frozen=True, slots=True, eq=False, repr=False, kw_only=True)
class Identity:
    """The citizen's identity for one session. Call `wipe()` when the session ends."""

    id_kind: IdKind
    id_number: str
    name: str  # the name the platform knows: Chinese name where the card has one
    source: Source
    gender: str | None = None  # as printed on the card: 男 / 女
    birth_date: dt.date | None = None
    address: str | None = None
    name_en: str | None = None  # foreign permanent residents
    nation: str | None = None  # 民族, resident cards
    nationality: str | None = None  # ISO 3166-1 alpha-3, foreign permanent residents
    photo: bytearray | None = field(default=None)  # ID card: the 1024-byte WLT image
    evidence_id: str | None = None  # e-ID: the code's one-use id (jti), for the platform
    card_certificate: bytes | None = None  # smart card: its issuer certificate (holder proof)

    def __post_init__(self) -> None:
        if self.id_kind not in ID_KINDS:
            raise IdentityError("id_kind is not one of the contract's kinds")
        if self.source not in SOURCES:
            raise IdentityError(f"source must be one of {', '.join(SOURCES)}")
        if not self.id_number or not self.name or len(self.name) > 100:
            raise IdentityError("an identity needs an ID number and a name of 1-100 characters")
        if self.photo is not None and not isinstance(self.photo, bytearray):
            object.__setattr__(self, "photo", bytearray(self.photo))

    @property
    def masked_id(self) -> str:
        return idnumber.mask_id_number(self.id_number)

    @property
    def masked_name(self) -> str:
        return idnumber.mask_name(self.name)

    def applicant(self, mobile: str | None = None) -> dict[str, Any]:
        """The contract's `Applicant` object for this citizen."""
        data: dict[str, Any] = {"id_kind": self.id_kind, "id_number": self.id_number,
                                "name": self.name}
        if mobile:
            data["mobile"] = mobile
        return data

    def prefill_fields(self) -> dict[str, Any]:
        """Field values for kiosk.forms.prefill (`identity_fields`): what the card itself says."""
        data: dict[str, Any] = {"name": self.name, "id_number": self.id_number,
                                "gender": self.gender, "birth_date": self.birth_date,
                                "address": self.address, "name_en": self.name_en,
                                "nation": self.nation, "nationality": self.nationality}
        return {k: v for k, v in data.items() if v}

    def wipe(self) -> None:
        """Zero the photo in place; the strings cannot be scrubbed, so drop the identity too."""
        if self.photo is not None:
            for i in range(len(self.photo)):
                self.photo[i] = 0
            self.photo.clear()

    def __repr__(self) -> str:
        return (f"Identity(id_kind={self.id_kind!r}, id_number={self.masked_id!r}, "
                f"name={self.masked_name!r}, source={self.source!r})")

    __str__ = __repr__

    # ---- constructors ------------------------------------------------------------------------

    @classmethod
    def from_id_card(cls, card: ResidentCard | HmtResidencePermit | ForeignPermanentResidentCard
                     ) -> Identity:
        """From a card read by drivers/idcard. The photo is copied: the caller wipes the card."""
        photo = bytearray(card.photo_wlt) if card.photo_wlt else None
        gender = card.gender if card.gender_code in ("1", "2") else None
        if isinstance(card, ResidentCard):
            return cls(id_kind="resident", id_number=card.id_number, name=card.name,
                       source="idcard", gender=gender, birth_date=card.birth,
                       address=card.address, nation=card.nation or None, photo=photo)
        if isinstance(card, HmtResidencePermit):
            kind = _HMT_KINDS.get(card.id_number[:6])
            if kind is None:
                raise IdentityError("residence permit number has no Hong Kong/Macao/Taiwan prefix")
            return cls(id_kind=kind, id_number=card.id_number, name=card.name,
                       source="idcard", gender=gender, birth_date=card.birth,
                       address=card.address or None, photo=photo)
        if isinstance(card, ForeignPermanentResidentCard):
            return cls(id_kind="foreign_permanent", id_number=card.id_number,
                       name=card.display_name, source="idcard", gender=gender,
                       birth_date=card.birth, name_en=card.english_name or None,
                       nationality=card.nationality or None, photo=photo)
        raise IdentityError(f"not an ID card: {type(card).__name__}")

    @classmethod
    def from_smartcard(cls, ident: SmartcardIdentity,
                       certificate: bytes | None = None) -> Identity:
        """From the eID / social-security card applet (drivers/smartcard): residents only.

        The card holds no gender or birth date; an 18-character number with a valid check digit
        gives both (GB 11643), a 15-digit one gives neither.
        """
        if not isinstance(ident, SmartcardIdentity):
            raise IdentityError(f"not a smartcard identity: {type(ident).__name__}")
        gender: str | None = None
        birth: dt.date | None = None
        if idnumber.is_well_formed(ident.id_number):
            gender = "男" if idnumber.gender_code_of(ident.id_number) == "1" else "女"
            try:
                birth = idnumber.birth_date_of(ident.id_number)
            except ValueError:
                birth = None
        return cls(id_kind="resident", id_number=ident.id_number, name=ident.name,
                   source="smartcard", gender=gender, birth_date=birth,
                   card_certificate=certificate)
