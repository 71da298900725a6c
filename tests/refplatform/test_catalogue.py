"""The catalogue and the citizen lookup."""

from __future__ import annotations

from tests.refplatform.conftest import CITIZEN_ID, OTHER_ID


def test_services_are_listed_in_display_order_and_filtered(api):
    items = api.get("/catalogue/services").json()["items"]
    assert [s["service_id"] for s in items] == ["police.no-record", "civil.marriage-record"]
    assert "materials" not in items[0]  # summaries only
    terminal = api.get("/catalogue/services", params={"terminal_only": "true"}).json()["items"]
    assert [s["service_id"] for s in terminal] == ["police.no-record"]
    assert api.get("/catalogue/services", params={"audience": "enterprise"}).json() == {"items": []}


def test_one_service_carries_materials_and_form_schema(api):
    service = api.get("/catalogue/services/civil.marriage-record").json()
    assert [m["material_id"] for m in service["materials"]] == ["household", "photo"]
    assert service["form_schema"]["required"] == ["address"]
    missing = api.get("/catalogue/services/no.such")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_unknown_query_parameters_and_bad_values_are_refused(api):
    response = api.get("/catalogue/services", params={"audiences": "individual"})
    assert response.status_code == 400 and response.json()["code"] == "validation_failed"
    response = api.get("/catalogue/services", params={"audience": "alien"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "audience"


def test_a_known_citizen_gets_prefill_and_elicences(api):
    citizen = api.post("/citizens/lookup", {"id_number": CITIZEN_ID}).json()
    assert citizen["known"] is True
    assert citizen["prefill"]["name"] == "张三"
    assert citizen["elicences"][0]["kind"] == "resident_id"


def test_an_unknown_citizen_gets_an_empty_answer_not_an_error(api):
    assert api.post("/citizens/lookup", {"id_number": OTHER_ID}).json() == {
        "known": False, "prefill": {}, "elicences": []}


def test_an_impossible_id_number_is_refused_without_being_repeated(api):
    wrong_check = CITIZEN_ID[:-1] + "1"
    response = api.post("/citizens/lookup", {"id_number": wrong_check})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_id_number"
    assert wrong_check not in response.text and wrong_check[:14] not in response.text
    badly_shaped = api.post("/citizens/lookup", {"id_number": "abc-123"})
    assert badly_shaped.status_code == 400
    assert "abc-123" not in badly_shaped.text
