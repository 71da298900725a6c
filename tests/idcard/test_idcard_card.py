"""The text block: every card type parsed typed, masked by default, and garbage refused clearly."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from drivers.idcard.card import (ForeignPermanentResidentCard, HmtResidencePermit, ResidentCard,
                                 build_base_info, describe, encode_description, parse_base_info,
                                 parse_text)
from drivers.idcard.emulator import CARDS_DIR, load_description
from drivers.idcard.errors import CardFormatError
from drivers.idcard.idnumber import check_digit
from drivers.idcard.layout import FLAG_OFFSET, TEXT_LEN, CardKind, encode_text

TODAY = dt.date(2026, 11, 22)


def block_of(name: str) -> tuple[bytes, bytes]:
    return encode_description(load_description(name))


def test_resident_card_fields():
    card = parse_text(*block_of("resident"), today=TODAY)
    assert isinstance(card, ResidentCard) and card.kind is CardKind.RESIDENT
    assert (card.name, card.gender, card.nation) == ("测试样例", "男", "汉")
    assert card.birth == dt.date(1990, 3, 7)
    assert card.address == "北京市东城区示例街道演示胡同1号"
    assert card.authority == "北京市公安局东城分局"
    assert (card.valid_from, card.valid_to) == (dt.date(2020, 1, 1), dt.date(2040, 1, 1))
    assert card.validity(TODAY) == "valid"


def test_long_term_validity_and_minority_nation():
    card = parse_text(*block_of("resident_longterm"), today=TODAY)
    assert card.valid_to is None and card.to_dict(masked=False)["valid_to"] == "长期"
    assert card.nation == "维吾尔" and card.gender == "女"
    assert not card.is_expired(dt.date(2090, 1, 1))


def test_expiry_is_flagged_against_an_injected_today():
    card = parse_text(*block_of("resident_expired"), today=TODAY)
    assert card.is_expired(TODAY)
    assert not card.is_expired(dt.date(2021, 6, 1))  # still valid on its last day
    assert card.is_expired(dt.date(2021, 6, 2))
    assert card.validity(dt.date(2011, 5, 31)) == "not_yet_valid"
    assert card.to_dict(today=TODAY)["validity"] == "expired"


def test_foreign_permanent_resident_card_2017():
    card = parse_text(*block_of("foreign_2017"), today=TODAY)
    assert isinstance(card, ForeignPermanentResidentCard) and card.format_year == 2017
    assert card.english_name == "SPECIMEN, TEST PERSON" and card.chinese_name == "样本测试"
    assert card.nationality == "UTO" and card.id_number == "UTO110900101001"
    assert (card.version, card.authority_code) == ("01", "1100")
    assert card.birth == dt.date(1990, 1, 1)


def test_foreign_permanent_resident_card_2023_with_long_english_name():
    text, photo = block_of("foreign_2023")
    assert text[FLAG_OFFSET:FLAG_OFFSET + 2] == "Y".encode("utf-16-le")
    card = parse_text(text, photo, today=TODAY)
    assert card.kind is CardKind.FOREIGN_2023 and card.format_year == 2023
    # 43 characters: 35 in the first span, the rest in the extension at byte 220
    assert card.english_name == "SPECIMEN-EXAMPLE, ALEXANDRA MARGARET TESTER"
    assert card.chinese_name == "样例亚历山德拉" and card.renewal_count == 1
    assert card.id_number.startswith("9") and card.birth == dt.date(1985, 6, 15)
    assert card.previous_number_link == "UTO"


def test_hmt_residence_permit():
    card = parse_text(*block_of("hmt"), today=TODAY)
    assert isinstance(card, HmtResidencePermit)
    assert (card.pass_number, card.issue_count, card.region) == ("H00000001", 2, "香港")


@pytest.mark.parametrize("path", sorted(CARDS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_sample_cards_round_trip_and_are_fictional(path):
    description = json.loads(path.read_text(encoding="utf-8"))
    card = parse_text(*encode_description(description), today=TODAY)
    expected = {k: v for k, v in description.items() if k != "comment"}
    assert describe(card) == expected
    assert "comment" in description and "ictional" in description["comment"]


def test_repr_and_default_dict_are_masked():
    for name in ("resident", "hmt", "foreign_2017", "foreign_2023"):
        description = load_description(name)
        card = parse_text(*encode_description(description), today=TODAY)
        shown = repr(card) + str(card) + json.dumps(card.to_dict(), ensure_ascii=False)
        for key in ("name", "chinese_name", "english_name", "id_number", "address",
                    "pass_number", "birth"):
            if description.get(key):
                assert description[key] not in shown, (name, key)
        assert description["id_number"] in json.dumps(card.to_dict(masked=False),
                                                      ensure_ascii=False)


def test_wipe_zeroes_the_photo_in_place():
    card = parse_text(*block_of("resident"), today=TODAY)
    photo = card.photo_wlt
    assert len(photo) == 1024 and any(photo)
    card.wipe()
    assert len(card.photo_wlt) == 0 and photo is card.photo_wlt


def test_base_info_reply_data_both_with_and_without_fingerprint_header():
    text, photo = block_of("resident")
    data = build_base_info(text, photo)
    assert parse_base_info(data, today=TODAY).name == "测试样例"
    with_fp = data[:4] + b"\x00\x00" + data[4:]
    assert parse_base_info(with_fp, today=TODAY).name == "测试样例"
    for broken in (data[:3], data[:-1], b"\x00\x10" + data[2:], data[:2] + b"\x00\x01" + data[4:]):
        with pytest.raises(CardFormatError):
            parse_base_info(broken, today=TODAY)


@pytest.mark.parametrize("field,value,message", [
    ("gender", "7", "gender"),
    ("nation", "77", "nation"),
    ("birth", "19900230", "calendar"),
    ("birth", "1990030X", "8-digit"),
    ("valid_to", "20100101", "before"),
    ("id_number", "110101199003071234", "check digit"),
    ("birth", "19900308", "disagrees"),
    ("name", "", "empty"),
    ("name", "测\u0007试", "control"),
])
def test_inconsistent_cards_are_refused_with_a_reason_and_no_personal_data(field, value,
                                                                            message):
    description = load_description("resident")
    description[field] = value
    with pytest.raises(CardFormatError) as info:
        parse_text(*encode_description(description), today=TODAY)
    assert message in str(info.value)
    for v in load_description("resident").values():
        if len(v) > 3 and v not in ("resident",):
            assert v not in str(info.value)


def test_unknown_type_flag_and_bad_ucs2_are_refused():
    text = bytearray(block_of("resident")[0])
    text[FLAG_OFFSET:FLAG_OFFSET + 2] = "Q".encode("utf-16-le")
    with pytest.raises(CardFormatError, match="type flag"):
        parse_text(bytes(text))
    text = bytearray(block_of("resident")[0])
    text[0:2] = b"\x00\xd8"  # a lone high surrogate in the name
    with pytest.raises(CardFormatError, match="UCS-2"):
        parse_text(bytes(text))


# ---- hypothesis: valid cards round trip, anything else is a CardFormatError -------------------

def _number(prefix: str, birth: dt.date, seq: int) -> str:
    first = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=15)
dates = st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31))


@st.composite
def resident_cards(draw):
    birth = draw(dates)
    valid_from = draw(st.dates(birth, dt.date(2026, 1, 1)))
    valid_to = draw(st.one_of(st.just("长期"),
                              st.dates(valid_from, dt.date(2060, 1, 1)).map(
                                  lambda d: d.strftime("%Y%m%d"))))
    return {"type": "resident", "name": draw(cjk), "gender": draw(st.sampled_from("0129")),
            "nation": f"{draw(st.integers(1, 56)):02d}", "birth": f"{birth:%Y%m%d}",
            "address": draw(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                                    min_size=1, max_size=35)),
            "id_number": _number(draw(st.sampled_from(["110101", "440305", "650102"])), birth,
                                 draw(st.integers(0, 999))),
            "authority": draw(cjk), "valid_from": f"{valid_from:%Y%m%d}", "valid_to": valid_to}


@given(resident_cards())
def test_any_valid_resident_card_round_trips(description):
    card = parse_text(*encode_description(description), today=TODAY)
    assert describe(card) == description


@given(st.binary(min_size=TEXT_LEN, max_size=TEXT_LEN))
@settings(max_examples=300)
def test_random_blocks_parse_or_raise_card_format_error(block):
    try:
        parse_text(block, today=TODAY)
    except CardFormatError:
        pass


@given(st.sampled_from(["resident", "resident_longterm", "hmt", "foreign_2017", "foreign_2023"]),
       st.lists(st.tuples(st.integers(0, TEXT_LEN - 1), st.integers(0, 255)), min_size=1,
                max_size=6))
@settings(max_examples=300)
def test_mutated_sample_blocks_parse_or_raise_card_format_error(name, flips):
    text = bytearray(block_of(name)[0])
    for pos, value in flips:
        text[pos] = value
    try:
        card = parse_text(bytes(text), today=TODAY)
    except CardFormatError:
        return
    repr(card)
    card.to_dict()


@given(st.binary(max_size=1400))
def test_random_reply_data_parses_or_raises_card_format_error(data):
    try:
        parse_base_info(data, today=TODAY)
    except CardFormatError:
        pass


@given(st.dictionaries(st.sampled_from(["name", "gender", "birth", "address", "x"]),
                       st.text(max_size=50)))
def test_encoding_refuses_what_does_not_fit(fields):
    try:
        block = encode_text(CardKind.RESIDENT, fields)
    except CardFormatError:
        return
    assume(block)
    assert len(block) == TEXT_LEN


@st.composite
def foreign_2023_cards(draw):
    birth = draw(dates)
    valid_from = draw(st.dates(max(birth, dt.date(2023, 12, 1)), dt.date(2026, 1, 1)))
    latin = st.characters(min_codepoint=0x41, max_codepoint=0x5A)
    name = draw(st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ ,-"), min_size=1,
                        max_size=46).map(str.strip).filter(bool))
    first = f"9{draw(st.sampled_from(['11', '31', '44']))}{draw(st.integers(100, 999))}" \
            f"{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return {"type": "foreign_permanent_2023", "english_name": name,
            "chinese_name": draw(st.one_of(st.just(""), cjk)),
            "gender": draw(st.sampled_from("129")), "id_number": first + check_digit(first),
            "nationality": draw(st.text(latin, min_size=3, max_size=3)),
            "birth": f"{birth:%Y%m%d}", "valid_from": f"{valid_from:%Y%m%d}",
            "valid_to": f"{valid_from + dt.timedelta(days=3652):%Y%m%d}",
            "renewal_count": f"{draw(st.integers(0, 99)):02d}",
            "previous_number_link": draw(st.text(latin, max_size=3))}


@given(foreign_2023_cards())
def test_any_valid_2023_foreign_card_round_trips_across_the_split_english_name(description):
    card = parse_text(*encode_description(description), today=TODAY)
    assert describe(card) == description
