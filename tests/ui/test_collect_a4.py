"""Issue 19's "done when": a citizen collects a certificate on A4 through real touches on the
app under Xvfb, from the emulated page printer (ippeveprinter) behind the reference platform:
the preview says A4, the paper runs out mid-job and the screen says so, staff reload, and one
whole copy comes out whose QR verifies."""

from __future__ import annotations

import pytest

from drivers.pageprinter.emulator import read_back, tools_present
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, leftovers, on, tap
from tests.ui.test_collect import ID_NUMBER, collections, issued, open_list

AREAS = ("idcard", "printer", "page_printer")
pytestmark = pytest.mark.skipif(not tools_present(), reason="cups-ipp-utils not installed")


def test_a4_paper_out_mid_certificate_then_one_whole_copy_after_reload(sim, app: KioskUi):
    a4 = sim.emulators["page_printer"]
    certificate_id = issued(sim)
    identify(sim, app)
    open_list(sim, app, certificate_id)
    tap(app, f"cert_{certificate_id}")
    state = app.wait_for(on("collect_preview", "print_certificate"), 20)
    assert "collect_paper_a4" in state["kids"] and "collect_paper_slip" not in state["kids"]
    before = len(a4.printed())  # jobs of earlier tests on this module's printer
    a4.paper_after(0)  # the tray runs dry as the sheet is drawn in
    tap(app, "print_certificate")
    state = app.wait_for(on("collect_preview", "collect_paper_out"), 30)
    assert "print_again" in state["kids"] and "collect_printed" not in state["kids"]
    assert collections(sim, certificate_id) == []  # the platform was not told
    assert [(j["outcome"], j["printed_pages"]) for j in a4.printed()[before:]] == [
        ("canceled", 0)]
    sim.control("page_printer", "fix", {})  # staff fill the tray
    tap(app, "print_again")
    app.wait_for(on("collect_preview", "collect_printed"), 30)
    jobs = a4.printed()[before:]
    assert [(j["outcome"], j["printed_pages"] == j["pages"]) for j in jobs] == [
        ("canceled", False), ("completed", True)]
    page = read_back(a4.spooled(jobs[1]["job_id"]))
    (qr,) = page["qr"]
    assert "/verify/" in qr and page["pages"] == 1
    assert [c["reprint_reason"] for c in collections(sim, certificate_id)] == [None]
    assert not any(certificate_id in str(job) for job in sim.emulators["printer"].job_log())
    tap(app, "finish")
    app.wait_for(on("home"))
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert ID_NUMBER not in app.app_log()
