"""The collect journey (证照打印) end to end through real touches on the app under Xvfb, against
the ID card and printer emulators and the reference platform (HTTPS), whose operator issues the
certificate: list, preview, print once, reprint with a reason, and paper out mid-certificate."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from kiosk.refplatform import applications
from kiosk.session import Identity
from kiosk.sim import Simulation
from tests.session.conftest import card_of
from tests.ui.harness import KioskUi
from tests.ui.journey import (Since, elder, every_page_whole, identify, leftovers,
                              nothing_wrong, on, open_tile, tap)

AREAS = ("idcard", "printer")
# A fresh terminal per test: on the shared one the second test's card was not seen (left to
# follow up; the other shared modules identify fine)
ID_NUMBER = "110101199003071233"
TITLE = {"zh-CN": "社会保险参保缴费证明打印",
         "en": "Printing of a social-insurance contribution certificate"}


def issued(sim: Simulation) -> str:
    """A certificate for the resident: an application of an earlier visit, which the back
    office then walks to approval (the sim's `issue` control). The certificate's id."""
    platform = sim.emulators["platform"]
    body = {"service_id": "social-insurance-certificate", "materials": [],
            "applicant": Identity.from_id_card(card_of("resident")).applicant(),
            "form": {"insurance_type": "全部险种", "period_from": "2021-01",
                     "period_to": "2026-10"},
            "client_reference": "K" + uuid.uuid4().hex[:8].upper()}
    with platform.store.write() as conn:
        filed = applications.create(conn, "SIM-0001", body, dt.datetime.now(dt.timezone.utc))
    sim.control("platform", "issue", {"receipt_no": filed["receipt_no"]})
    with platform.store.read() as conn:
        return conn.execute("SELECT certificate_id FROM certificates WHERE receipt_no = ?",
                            (filed["receipt_no"],)).fetchone()[0]


def collections(sim: Simulation, certificate_id: str) -> list[dict[str, Any]]:
    with sim.emulators["platform"].store.read() as conn:
        return [dict(r) for r in conn.execute(
            "SELECT * FROM collections WHERE certificate_id = ? ORDER BY id", (certificate_id,))]


def open_list(sim: Simulation, app: KioskUi, certificate_id: str) -> None:
    open_tile(sim, app, "tile_collect")
    app.wait_for(on("collect_list", f"cert_{certificate_id}"), 20)


def test_a_citizen_previews_prints_once_then_reprints_with_a_reason(sim, app: KioskUi,
        since: Since) -> None:
    certificate_id = issued(sim)
    identify(sim, app)
    open_list(sim, app, certificate_id)
    shown = app.tap(f"cert_{certificate_id}",
                    until={"screen": "collect_preview", "kid": "print_certificate"})
    # the preview screen comes on at once with what the list said, and the sheet fills in:
    # never the list frozen under "please wait" while the sheet is rendered
    assert shown["screen_drawn_ms"] < shown["release_to_drawn_ms"], shown
    # the UI driver tells what of that wait was the worker's call (platform and render), so
    # that bench/ui_bench.py can tell the main loop's share apart
    assert 0 < shown["answer_ms"] < shown["release_to_drawn_ms"], shown
    state = app.wait_for(on("collect_preview", "print_certificate"), 20)
    assert "certificate_preview" in state["kids"]
    tap(app, "print_certificate")
    state = app.wait_for(on("collect_preview", "collect_printed"), 30)
    assert "print_again" not in state["kids"]
    jobs = since.jobs()
    assert len(jobs) == 1 and jobs[0]["cut"] and not jobs[0]["truncated"]
    assert [c["reprint_reason"] for c in collections(sim, certificate_id)] == [None]
    tap(app, "finish")
    app.wait_for(on("home"))
    # the same citizen wants it again: the list says it was printed, a reason is asked
    open_list(sim, app, certificate_id)
    tap(app, f"cert_{certificate_id}")
    app.wait_for(on("collect_reason", "reason_lost"), 20)
    tap(app, "reason_lost")
    app.wait_for(on("collect_preview", "print_certificate"), 20)
    tap(app, "print_certificate")
    app.wait_for(on("collect_preview", "collect_printed"), 30)
    jobs = since.jobs()
    assert len(jobs) == 2 and "补打" in "\n".join(jobs[1]["lines"])
    assert [c["reprint_reason"] for c in collections(sim, certificate_id)] == [None, "lost"]
    tap(app, "finish")
    app.wait_for(on("home"))
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert ID_NUMBER not in app.app_log()


def test_a_certificate_name_with_markup_from_the_platform_is_shown_as_written(
        sim: Simulation, app: KioskUi) -> None:
    """Contract 1.8's English name is the platform's words: on the list, the preview and
    the reprint's question it is text, never markup ("[font=…]" would name a file to open)."""
    certificate_id = issued(sim)
    marked = "Certificate[font=/etc/passwd]X[/font][size=300]Y[/size]"
    with sim.emulators["platform"].store.write() as conn:
        conn.execute("UPDATE certificates SET title_en = ? WHERE certificate_id = ?",
                     (marked, certificate_id))
    identify(sim, app)
    tap(app, "switch_language")
    app.wait_for(lambda s: s["language"] == "en")
    open_list(sim, app, certificate_id)
    assert any(marked in text for text in app.state()["texts"])
    nothing_wrong(app)
    app.tap(f"cert_{certificate_id}", until={"screen": "collect_preview",
                                             "kid": "print_certificate"})
    assert marked in app.state()["texts"]
    tap(app, "print_certificate")
    app.wait_for(on("collect_preview", "collect_printed"), 30)
    tap(app, "finish")
    app.wait_for(on("home"))
    open_list(sim, app, certificate_id)
    tap(app, f"cert_{certificate_id}")
    state = app.wait_for(on("collect_reason", "reason_lost"), 20)
    assert marked in state["texts"]
    nothing_wrong(app)
    assert "Traceback" not in app.app_log()


def test_paper_out_mid_certificate_is_told_then_prints_once_whole(sim, app: KioskUi,
        since: Since) -> None:
    certificate_id = issued(sim)
    identify(sim, app)
    open_list(sim, app, certificate_id)
    tap(app, f"cert_{certificate_id}")
    app.wait_for(on("collect_preview", "print_certificate"), 20)
    sim.control("printer", "paper_out", {"after_bytes": 300})
    tap(app, "print_certificate")
    state = app.wait_for(on("collect_preview", "collect_paper_out"), 30)
    assert "print_again" in state["kids"] and "collect_printed" not in state["kids"]
    jobs = since.jobs()
    assert len(jobs) == 1 and jobs[0]["truncated"]  # the torn piece, never reported as done
    assert collections(sim, certificate_id) == []  # the platform was not told
    sim.control("printer", "reload_paper", {})
    tap(app, "print_again")
    app.wait_for(on("collect_preview", "collect_printed"), 30)
    jobs = since.jobs()
    assert len(jobs) == 2 and jobs[1]["cut"] and not jobs[1]["truncated"] and jobs[1]["qr_codes"]
    assert len(collections(sim, certificate_id)) == 1


@pytest.mark.parametrize("language,elder_mode", [("zh-CN", False), ("en", True)])
def test_many_certificates_come_a_page_at_a_time_each_page_whole(
        sim: Simulation, app: KioskUi, language: str, elder_mode: bool) -> None:
    """Four certificates of three lines ran 12 px into the step bar (found by the explorer's
    tour): a page holds as many as the body has room for. Then one's preview: in English elder
    mode its two-line title, beside the wide actions, was cut after "then" with no mark."""
    ours = {issued(sim) for _ in range(5)}
    identify(sim, app)
    if elder_mode:
        elder(app, language)
    open_tile(sim, app, "tile_collect")
    state = app.wait_for(lambda s: s["screen"] == "collect_list" and "busy" not in s["kids"]
                         and any(k.startswith("cert_") for k in s["kids"]), 20)
    pages = every_page_whole(app, state, "collect_list", "back")
    seen = {k.removeprefix("cert_") for page, _text in pages for k in page["kids"]
            if k.startswith("cert_")}
    assert ours <= seen
    while not (mine := sorted(k for k in app.state()["kids"] if k.removeprefix("cert_") in ours)):
        tap(app, "page_prev")  # not printed yet: no reason to give first
    # named in the citizen's language (contract 1.8), on the list and the preview
    other = "zh-CN" if language == "en" else "en"
    listed = " ".join(app.state()["texts"])
    assert TITLE[language] in listed and TITLE[other] not in listed
    app.tap(mine[0], until={"screen": "collect_preview", "kid": "print_certificate"})
    nothing_wrong(app)
    shown = " ".join(app.state()["texts"])
    assert TITLE[language] in shown and TITLE[other] not in shown
    # the citizen switches language on the preview: its name follows
    tap(app, "switch_language")
    state = app.wait_for(lambda s: s["language"] == other and s["screen"] == "collect_preview")
    assert TITLE[other] in " ".join(state["texts"])
    nothing_wrong(app)
