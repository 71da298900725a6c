"""Demo citizens: valid `Citizen` objects of the contract, one per emulated ID card, and what the
platform prefills agrees with what the card itself says (a demo must never show two names)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from drivers.idcard.codes import GENDERS, NATIONS
from drivers.idcard.idnumber import validate
from kiosk.api import schema
from kiosk.refplatform.seed import load_citizens, load_examples, load_services
from tests.refplatform_seed.contract import contract_validator, errors_of

CARDS_DIR = Path(__file__).resolve().parents[2] / "assets" / "cards"
DEMO_NUMBERS = [
    "110101199003071233", "310101198801010024", "650102195211300049", "810000199508080032",
    "91184019850615002X", "UTO110900101001",
]
CITIZENS = load_citizens()


def cards() -> list[dict[str, Any]]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CARDS_DIR.glob("*.json"))]
    assert found, f"no sample cards in {CARDS_DIR}"
    return [c for c in found if "id_number" in c]


def masked(number: str) -> str:
    return number[:4] + "…"


def test_every_demo_card_number_is_a_known_citizen() -> None:
    assert set(DEMO_NUMBERS) <= set(CITIZENS)
    assert {c["id_number"] for c in cards()} <= set(CITIZENS)


def test_citizen_keys_are_well_formed_id_numbers() -> None:
    pattern = schema("IdNumber")["pattern"]
    for number in CITIZENS:
        assert re.fullmatch(pattern, number), masked(number)
        if len(number) == 18:  # GB 11643 check digit and region; 9… = 2023 foreign PR card
            validate(number, foreign=number.startswith("9"))


@pytest.mark.parametrize("number", [pytest.param(n, id=masked(n)) for n in sorted(CITIZENS)])
def test_citizen_is_valid_against_the_contract(number: str) -> None:
    citizen = CITIZENS[number]
    assert errors_of(contract_validator("Citizen"), citizen) == []
    assert citizen["known"] is True
    assert errors_of(contract_validator("IdNumberQuery"), {"id_number": number}) == []


def test_licence_ids_are_unique_across_citizens() -> None:
    ids = [lic["licence_id"] for c in CITIZENS.values() for lic in c["elicences"]]
    assert len(ids) == len(set(ids))


def test_licence_dates_are_in_order() -> None:
    for c in CITIZENS.values():
        for lic in c["elicences"]:
            assert lic["valid_until"] is None or lic["issued_on"] < lic["valid_until"], lic["licence_id"]


@pytest.mark.parametrize("card", [pytest.param(c, id=c["type"] + "-" + masked(c["id_number"]))
                                  for c in cards()])
def test_prefill_agrees_with_the_emulated_card(card: dict[str, Any]) -> None:
    prefill = CITIZENS[card["id_number"]]["prefill"]
    assert prefill["name"] == card.get("name", card.get("chinese_name"))
    if "english_name" in card:
        assert prefill["name_en"] == card["english_name"]
    birth = card["birth"]
    assert prefill["birth_date"] == f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
    assert prefill["gender"] == GENDERS[card["gender"]]
    if "nation" in card:
        assert prefill["nation"] == NATIONS[card["nation"]]
    if "address" in card:
        assert prefill["address"] == card["address"]
    if "nationality" in card:
        assert prefill["nationality"] == card["nationality"]


def test_resident_id_licence_mirrors_the_card_validity() -> None:
    """The e-licence of a resident card is that card: same issuer, same dates (长期 = no end)."""
    for card in cards():
        if card["type"] != "resident":
            continue
        [lic] = [x for x in CITIZENS[card["id_number"]]["elicences"] if x["kind"] == "resident_id"]
        assert lic["issuer"] == card["authority"]
        start = card["valid_from"]
        assert lic["issued_on"] == f"{start[:4]}-{start[4:6]}-{start[6:]}"
        end = card["valid_to"]
        assert lic["valid_until"] == (None if end == "长期" else f"{end[:4]}-{end[4:6]}-{end[6:]}")


def test_a_demo_citizen_can_file_every_example_as_an_application() -> None:
    """Example form + demo applicant + promised materials make a valid `ApplicationCreate`."""
    examples = load_examples()
    create = contract_validator("ApplicationCreate")
    number, citizen = next(iter(CITIZENS.items()))
    for service in load_services():
        body = {
            "service_id": service["service_id"],
            "applicant": {"id_kind": "resident", "id_number": number,
                          "name": citizen["prefill"]["name"], "mobile": citizen["prefill"]["mobile"]},
            "form": examples[service["service_id"]][0],
            "materials": [{"material_id": m["material_id"], "source": "promised",
                           "promised_by": "2026-12-31"}
                          for m in service["materials"] if m["may_promise"]],
            "client_reference": "K01-20261123-0001",
        }
        assert errors_of(create, body) == []


def test_loaders_hand_out_copies() -> None:
    mine = load_citizens()
    mine[DEMO_NUMBERS[0]]["prefill"]["name"] = "changed"
    load_services()[0]["name"]["zh-CN"] = "changed"
    assert load_citizens()[DEMO_NUMBERS[0]]["prefill"]["name"] != "changed"
    assert load_services()[0]["name"]["zh-CN"] != "changed"
