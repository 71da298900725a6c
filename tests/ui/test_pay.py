"""The payment journey end to end through real touches on the app under Xvfb, against the ID
card and printer emulators and the reference platform (HTTPS), whose operator confirms the
payment as the payment provider would."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from kiosk.refplatform import operator
from kiosk.sim import Simulation
from tests.journeys.test_payment import FEE_SERVICE
from tests.ui.harness import ROOT, KioskUi
from tests.ui.journey import elder, identify, leftovers, nothing_wrong, on, open_tile, tap

SHARE_APP = False  # payments and bookings of one test would show in the next
AREAS = ("idcard", "printer")
ID_NUMBER = "110101199003071233"


@pytest.fixture
def receipt_no(sim: Simulation) -> str:
    """A fee application of the resident's, filed on an earlier visit."""
    return sim.control("platform", "file", {
        "service_id": FEE_SERVICE, "card": str(ROOT / "assets/cards/resident.json")})["receipt_no"]


def _payments(sim: Simulation) -> list[dict]:
    return operator.list_payments(sim.emulators["platform"].store)


def _open_qr(sim: Simulation, app: KioskUi, receipt_no: str, english_elder: bool = False
             ) -> dict:
    identify(sim, app)
    if english_elder:
        elder(app, "en")
        tap(app, "tiles_more")  # elder mode's first page of tiles ends before payment
        app.wait_for(on("home", "tile_pay"))
    open_tile(sim, app, "tile_pay")
    app.wait_for(on("pay_due", f"pay_{receipt_no}"), 20)
    tap(app, f"pay_{receipt_no}")
    return app.wait_for(on("pay_qr", "pay_qr"), 20)


def test_a_citizen_scans_pays_and_takes_a_payment_receipt(sim, app, receipt_no,
                                                          tmp_path) -> None:
    state = _open_qr(sim, app, receipt_no)
    assert any("¥20.00" in t for t in state["texts"])
    [payment] = _payments(sim)
    # the code on the glass is the platform's pay code, readable by a phone
    shot = app.screenshot(tmp_path / "qr.png")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(shot))] == [payment["qr_content"]]
    assert sim.emulators["printer"].job_log() == []  # nothing before the platform says paid

    sim.control("platform", "pay", {"payment_id": payment["payment_id"]})
    state = app.wait_for(on("pay_result", "pay_print_printed"), 30)
    assert "pay_paid" in state["kids"]
    jobs = sim.emulators["printer"].job_log()
    assert len(jobs) == 1
    lines = "\n".join(jobs[0]["lines"])
    assert "缴费凭证" in lines and receipt_no in lines and payment["payment_id"] in lines
    tap(app, "pay_done")
    app.wait_for(on("home"))
    open_tile(sim, app, "tile_pay")  # paid: nothing left to pay
    app.wait_for(on("pay_due", "pay_nothing"), 20)
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert ID_NUMBER not in app.app_log(100_000)


def test_platform_down_while_polling_is_told_then_the_payment_is_seen(sim, app,
                                                                      receipt_no) -> None:
    _open_qr(sim, app, receipt_no)
    [payment] = _payments(sim)
    sim.control("platform", "down", {})
    state = app.wait_for(on("pay_qr", "problem"), 30)  # the citizen is told; still waiting
    assert "pay_cancel" in state["kids"]
    assert sim.emulators["printer"].job_log() == []
    operator.mark_paid(sim.emulators["platform"].store, payment["payment_id"])
    sim.control("platform", "up", {})
    app.wait_for(on("pay_result", "pay_print_printed"), 40)
    assert len(sim.emulators["printer"].job_log()) == 1


def test_cancel_ends_with_not_paid_and_no_receipt(sim, app, receipt_no) -> None:
    # in English and elder mode the service's name and the fee take two lines: the explorer
    # found them in the height of one, overprinting the step bar
    state = _open_qr(sim, app, receipt_no, english_elder=True)
    assert any("20.00" in t for t in state["texts"])
    nothing_wrong(app)
    # the code beside those lines, not under them (where it was left 120 px, 3 cm)
    _x, _y, width, height = app.command("widget", kid="pay_qr")["rect"]
    assert min(width, height) >= 400, (width, height)
    tap(app, "pay_cancel")
    state = app.wait_for(on("pay_result", "pay_not_paid"), 20)
    assert "pay_again" in state["kids"]
    assert sim.emulators["printer"].job_log() == []
    tap(app, "pay_again")  # the fee is still due: the list offers it again
    app.wait_for(on("pay_due", f"pay_{receipt_no}"), 20)
