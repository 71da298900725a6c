"""Identity: one type for every card, masked wherever it could be printed or logged."""

from __future__ import annotations

import datetime as dt
import logging

import jsonschema
import pytest

from drivers.idcard.emulator import load_description
from drivers.smartcard.identity import Identity as SmartcardIdentity
from kiosk.api import schema
from kiosk.session.identity import ID_KINDS, Identity, IdentityError
from tests.session.conftest import card_of

# (asset, id_kind, name the platform knows)
CARDS = [("resident", "resident", "测试样例"),
         ("resident_longterm", "resident", "演示阿依古丽"),
         ("hmt", "hk_macao_resident", "港澳演示"),
         ("foreign_2017", "foreign_permanent", "样本测试"),
         ("foreign_2023", "foreign_permanent", "样例亚历山德拉")]


def applicant_validator() -> jsonschema.Draft202012Validator:
    from kiosk.api import load_spec
    spec = load_spec()
    return jsonschema.Draft202012Validator(
        {**schema("Applicant"), "components": spec["components"]})


def test_id_kinds_are_the_contracts() -> None:
    assert tuple(schema("Applicant")["properties"]["id_kind"]["enum"]) == ID_KINDS


@pytest.mark.parametrize("asset,kind,name", CARDS)
def test_from_id_card_for_every_card_type(asset: str, kind: str, name: str) -> None:
    description = load_description(asset)
    card = card_of(asset)
    ident = Identity.from_id_card(card)
    assert (ident.id_kind, ident.id_number, ident.name, ident.source) == (
        kind, description["id_number"], name, "idcard")
    assert ident.birth_date == card.birth and ident.gender in ("男", "女")
    assert ident.photo is not None and len(ident.photo) == 1024
    assert ident.photo is not card.photo_wlt  # a copy: the card is the reader's to wipe
    applicant = ident.applicant()
    assert applicant == {"id_kind": kind, "id_number": description["id_number"], "name": name}
    applicant_validator().validate(applicant)
    applicant_validator().validate(ident.applicant(mobile="13800000000"))
    with pytest.raises(jsonschema.ValidationError):  # the validator does check
        applicant_validator().validate({**applicant, "id_kind": "passport"})


def test_card_specific_fields_reach_the_prefill() -> None:
    resident = Identity.from_id_card(card_of("resident")).prefill_fields()
    assert resident["nation"] == "汉" and resident["address"].startswith("北京市")
    assert resident["birth_date"] == dt.date(1990, 3, 7) and resident["gender"] == "男"
    foreign = Identity.from_id_card(card_of("foreign_2023")).prefill_fields()
    assert foreign["name_en"] == "SPECIMEN-EXAMPLE, ALEXANDRA MARGARET TESTER"
    assert foreign["nationality"] == "UTO" and "address" not in foreign


def test_taiwan_permit_is_taiwan_resident() -> None:
    card = card_of("hmt")
    from dataclasses import replace
    from drivers.idcard.idnumber import check_digit
    number = "830000" + card.id_number[6:17]
    taiwan = replace(card, id_number=number + check_digit(number))
    assert Identity.from_id_card(taiwan).id_kind == "taiwan_resident"


def test_from_smartcard_derives_gender_and_birth_from_a_valid_number() -> None:
    chip = SmartcardIdentity.decode(SmartcardIdentity(
        "110101199003071233", "测试样例", "SC0001", dt.date(2030, 1, 1)).encode())
    ident = Identity.from_smartcard(chip)
    assert (ident.id_kind, ident.source, ident.name) == ("resident", "smartcard", "测试样例")
    assert ident.gender == "男" and ident.birth_date == dt.date(1990, 3, 7)
    applicant_validator().validate(ident.applicant())
    old = Identity.from_smartcard(SmartcardIdentity("110101900307123", "测试样例", "SC0002",
                                                    dt.date(2030, 1, 1)))
    assert old.gender is None and old.birth_date is None
    with pytest.raises(IdentityError):
        Identity.from_smartcard(card_of("resident"))  # type: ignore[arg-type]


@pytest.mark.parametrize("asset", [a for a, _, _ in CARDS])
def test_repr_str_fstring_and_log_are_masked(asset: str, caplog) -> None:
    description = load_description(asset)
    ident = Identity.from_id_card(card_of(asset))
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test.session").info("identity %s / %r", ident, ident)
    logging.getLogger("test.session").debug(f"identity {ident} {ident!r} {[ident]}")
    shown = repr(ident) + str(ident) + f"{ident}" + format(ident) + caplog.text
    secrets = [description["id_number"], ident.name, description.get("address", "")]
    secrets += [description.get("english_name", ""), ident.photo.hex()[:16]]
    for secret in filter(None, secrets):
        assert secret not in shown, secret
    assert ident.masked_id in shown and ident.masked_name in shown
    if len(description["id_number"]) == 18:
        assert ident.masked_id == description["id_number"][:6] + "********" + \
            description["id_number"][-4:]


def test_wipe_zeroes_the_photo_in_place() -> None:
    ident = Identity.from_id_card(card_of("resident"))
    photo = ident.photo
    ident.wipe()
    assert photo is ident.photo and len(photo) == 0


def test_bad_identities_are_refused_without_quoting_them() -> None:
    for kw in ({"id_kind": "passport"}, {"source": "nfc"}, {"name": ""}, {"id_number": ""}):
        args = {"id_kind": "resident", "id_number": "110101199003071233", "name": "测试样例",
                "source": "qr", **kw}
        with pytest.raises(IdentityError) as err:
            Identity(**args)
        assert "110101199003071233" not in str(err.value) and "测试样例" not in str(err.value)
