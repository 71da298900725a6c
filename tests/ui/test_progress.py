"""The progress journey (进度查询) end to end through real touches on the app under Xvfb, with
the ID card, QR reader, document camera emulators and the reference platform (HTTPS): by card
the timeline and the correction handed in with the camera; by a receipt's QR code without a
card, masked, and its progress slip printed; a tampered code refused in words."""

from __future__ import annotations


from kiosk.receipts import progress_qr
from kiosk.refplatform.seed import load_services
from kiosk.sim import Simulation
from tests.ui.harness import ROOT, KioskUi
from tests.ui.journey import (elder, every_page_whole, identify, leftovers, on, open_tile,
                              tap)

AREAS = ("idcard", "qr", "document", "printer")
ID_NUMBER, NAME = "110101199003071233", "测试样例"
SERVICE = "household-registration-certificate"  # one material, scanned


def file_application(sim: Simulation) -> str:
    """The resident's application, filed as on an earlier visit; its receipt number."""
    return filed(sim)["receipt_no"]


def filed(sim: Simulation) -> dict:
    """The resident's application filed on an earlier visit, with its receipt's token."""
    return sim.control("platform", "file", {"service_id": SERVICE,
                                            "card": str(ROOT / "assets/cards/resident.json")})


def awaiting_correction(sim: Simulation) -> str:
    """The resident's application, accepted, reviewed and sent back for a clearer page of the
    household register (a to-do for the citizen); its receipt number."""
    receipt_no = file_application(sim)
    for action in ("accept", "review"):
        sim.control("platform", "advance", {"receipt_no": receipt_no, "action": action})
    sim.control("platform", "advance", {"receipt_no": receipt_no, "action": "correct",
                                        "reason": "户口簿页面不清晰，请重新拍摄"})
    return receipt_no


MANY_MATERIALS = "residential-lift-installation"  # seven materials, long names in English


def test_a_correction_of_seven_materials_fits_page_by_page_in_english_elder_mode(
        sim: Simulation, app: KioskUi) -> None:
    """Each material a name above its buttons, paged as the body holds them. Paged by count
    (two a page in elder mode), two rows needed 576 px of a 532 px body and each name's box
    ran 6 px into the widget above it."""
    receipt_no = sim.control("platform", "file", {
        "service_id": MANY_MATERIALS, "card": str(ROOT / "assets/cards/resident.json")})[
        "receipt_no"]
    for action in ("accept", "review"):
        sim.control("platform", "advance", {"receipt_no": receipt_no, "action": action})
    sim.control("platform", "advance", {"receipt_no": receipt_no, "action": "correct",
                                        "reason": "Every page again, please"})
    identify(sim, app)
    elder(app, "en")
    open_tile(sim, app, "tile_progress")
    app.wait_for(on("progress_list", f"app_{receipt_no}"), 20)
    tap(app, f"app_{receipt_no}")
    app.wait_for(on("progress_detail", "progress_supplement"), 20)
    tap(app, "progress_supplement")
    state = app.wait_for(on("progress_supplement", "supplement_prompt"), 20)
    pages = every_page_whole(app, state, "progress_supplement", "supplement_prompt")
    [service] = [s for s in load_services() if s["service_id"] == MANY_MATERIALS]
    names = {f"sup_{m['material_id']}" for m in service["materials"]}
    shown = [k for page, _text in pages for k in page["kids"] if k in names]
    assert sorted(shown) == sorted(names), shown  # each material once, none left out
    tap(app, "back")
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []


def receipt_code(filing: dict, kiosk_id: str = "HALL-B-0007") -> str:
    """The QR code of that application's receipt, printed at terminal `kiosk_id`."""
    return progress_qr.make(filing["receipt_no"], kiosk_id, filing["progress_token"])


def texts(state) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(state["texts"])


def test_by_card_the_timeline_then_the_correction_is_handed_in_with_the_camera(
        sim: Simulation, app: KioskUi) -> None:
    receipt_no = awaiting_correction(sim)
    identify(sim, app)
    open_tile(sim, app, "tile_progress")
    app.wait_for(on("progress_list", f"app_{receipt_no}"), 20)
    tap(app, f"app_{receipt_no}")
    state = app.wait_for(on("progress_detail", "progress_todo"), 20)
    shown = texts(state)
    assert "要求补正" in shown and "户口簿页面不清晰" in shown and receipt_no in shown
    # the newest steps, two a page (each with its note), the earlier ones a page on
    assert {"step_0", "step_1", "page_next"} <= set(state["kids"])
    assert "工作人员留言（原文）" in shown  # the officer's words, said to be theirs
    assert NAME not in shown and ID_NUMBER not in shown

    tap(app, "progress_supplement")
    app.wait_for(on("progress_supplement", "sup_household_camera"), 20)
    tap(app, "sup_household_camera")
    app.wait_for(on("progress_camera", "preview"), 10)
    sim.control("doc_camera", "place_page", {"seed": 4})
    app.wait_for(lambda s: s["screen"] == "progress_camera" and "problem" in s["kids"]
                 and "busy" not in s["kids"], 30)  # taken by itself once still
    sim.control("doc_camera", "remove_page", {})
    tap(app, "camera_done")
    app.wait_for(on("progress_supplement", "sup_submit"), 10)
    tap(app, "sup_submit")
    state = app.wait_for(on("progress_supplement", "supplement_done"), 30)
    assert "材料已提交" in texts(state)
    (filed,) = [a for a in sim.control("platform", "applications", {})
                if a["receipt_no"] == receipt_no]
    assert filed["status"] == "in_review"
    assert filed["timeline"][-1]["note"] == "补正材料已提交，继续审查"
    tap(app, "sup_done")
    state = app.wait_for(on("progress_detail", "progress_status"), 10)
    assert "审查中" in texts(state) and "progress_supplement" not in state["kids"]
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert ID_NUMBER not in app.app_log(20000)


def test_in_elder_mode_what_to_do_has_a_page_of_its_own_before_the_steps(
        sim: Simulation, app: KioskUi) -> None:
    """Beside a step, the to-do line was squeezed to 9 px under the status and overprinted
    both in English elder mode (found by the explorer's walk)."""
    receipt_no = awaiting_correction(sim)
    identify(sim, app)
    tap(app, "switch_language")
    tap(app, "switch_elder")
    app.wait_for(lambda s: s["language"] == "en" and s["elder_mode"], 10)
    open_tile(sim, app, "tile_progress")
    app.wait_for(on("progress_list", f"app_{receipt_no}"), 20)
    tap(app, f"app_{receipt_no}")
    state = app.wait_for(on("progress_detail", "progress_todo"), 20)
    assert "step_0" not in state["kids"] and "page_next" in state["kids"]
    assert app.inspect()["problems"] == []  # nothing clipped, overprinted or off the glass
    # the slip's outcome has a page of its own (under the to-do it was cut: the explorer)
    tap(app, "progress_print")
    state = app.wait_for(on("progress_detail", "progress_slip_printed"), 30)
    assert "progress_todo" not in state["kids"]
    problems = app.inspect()["problems"]
    assert problems == [], "\n".join(f"{p['kind']} {p['kid']} {p['detail']}" for p in problems)
    tap(app, "page_next")
    state = app.wait_for(on("progress_detail", "step_0"), 10)
    assert "progress_todo" not in state["kids"]
    problems = app.inspect()["problems"]
    assert problems == [], "\n".join(f"{p['kind']} {p['kid']} {p['detail']}" for p in problems)
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] in ("attract", "goodbye"), 15)


def test_a_receipt_code_without_a_card_shows_that_application_masked(
        sim: Simulation, app: KioskUi) -> None:
    filing = filed(sim)
    receipt_no = filing["receipt_no"]
    sim.control("platform", "advance", {"receipt_no": receipt_no, "action": "accept"})
    app.wait_for(lambda s: s["screen"] == "attract", 20)
    sim.control("qr_serial", "scan", {"text": receipt_code(filing)})
    state = app.wait_for(on("progress_detail", "progress_status"), 20)
    shown = texts(state)
    assert receipt_no in shown and "已受理" in shown
    assert "*" in shown and NAME not in shown and ID_NUMBER not in shown  # masked
    assert "greeting" not in state["kids"]  # no named session
    assert "progress_supplement" not in state["kids"] and "rate_offer" not in state["kids"]

    jobs = len(sim.emulators["printer"].job_log())  # the visit ends with it on paper
    tap(app, "progress_print")
    state = app.wait_for(on("progress_detail", "progress_slip_printed"), 30)
    assert "请取走您的办件进度单" in texts(state) and "progress_print" not in state["kids"]
    (job,) = sim.emulators["printer"].job_log()[jobs:]
    printed = "\n".join(job["lines"])
    assert job["cut"] and receipt_no in printed and "已受理" in printed
    assert NAME not in printed and ID_NUMBER not in printed
    tap(app, "back")
    app.wait_for(on("home"), 10)


def test_a_tampered_receipt_code_is_refused_in_words(sim: Simulation, app: KioskUi) -> None:
    filing = filed(sim)
    receipt_no = filing["receipt_no"]
    code = receipt_code(filing)
    tampered = code.replace(receipt_no, receipt_no[:-1] + ("1" if receipt_no[-1] != "1"
                                                           else "2"))
    app.wait_for(lambda s: s["screen"] == "attract", 20)
    sim.control("qr_serial", "scan", {"text": tampered})
    state = app.wait_for(on("progress_detail", "problem"), 20)
    assert "已损坏或被改动" in texts(state)
    assert "progress_status" not in state["kids"]
    assert receipt_no[:-1] not in texts(state)
