"""The apply journey end to end through real touches on the app under Xvfb, against the ID
card, document camera and printer emulators and the reference platform (HTTPS)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w

from kiosk.audit.from_config import audit_path, open_trail
from kiosk.config import load_config
from kiosk.sim import Simulation
from tests.support import wait_until
from tests.ui.harness import KioskUi, Xvfb
from tests.ui.journey import (SERVICE, Since, choose, every_page_whole, fill_form,
                              give_materials, identify, leftovers, on, open_service,
                              photograph, submit, tap)

# A fresh terminal per test: on the module's shared one a card placed right after the reset
# was sometimes not seen (CI, not reproduced alone; left to follow up, issue 16)

ID_NUMBER = "110101199003071233"


def _trail_head(sim: Simulation) -> int:
    """The last seq of the audit trail (0 before the app wrote any): the tests of this module
    share one app and its trail."""
    config = load_config(sim.site_config_path)
    if not audit_path(config).exists():
        return 0
    with open_trail(config, create=False) as trail:
        return max((e.seq for e in trail.entries()), default=0)




def test_a_citizen_applies_in_chinese_and_takes_a_printed_receipt(sim, app: KioskUi,
                                                                  since: Since) -> None:
    trail_head = _trail_head(sim)
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    tap(app, "notify_optin")  # progress texts to the mobile the platform knows: yes
    app.wait_for(lambda s: any("短信通知办理进度：是" in t for t in s["texts"]))
    state = submit(app)
    assert "print_printed" in state["kids"], state
    texts = "\n".join(state["texts"])
    assert "已提交" in texts or "submitted" in texts  # 受理 is the authority's act, later
    filed = since.applications(SERVICE)
    assert len(filed) == 1
    receipt_no = filed[0]["receipt_no"]
    assert filed[0]["notifications"] == {"sms": True}  # recorded for the platform to act on
    assert receipt_no in texts
    jobs = since.jobs()
    assert len(jobs) == 1 and any(receipt_no in line for line in jobs[0]["lines"])
    tap(app, "finish")
    app.wait_for(on("home"))
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert ID_NUMBER not in app.app_log()
    # 全程留痕: the session and what it filed and printed, in an intact chain, nothing personal
    with open_trail(load_config(sim.site_config_path), create=False) as trail:
        entries = [e for e in trail.entries() if e.seq > trail_head]
        assert trail.verify().ok
    actions = [e.action for e in entries]
    assert actions[:1] == ["session.started"] and actions[-1] == "session.ended"
    assert {"application.queued", "receipt.print"} <= set(actions)
    assert receipt_no in str([e.details for e in entries])
    assert ID_NUMBER not in str([e.details for e in entries])


def test_in_english_and_elder_mode_the_same_journey_reads_in_english(sim, app: KioskUi, since: Since) -> None:
    identify(sim, app)
    tap(app, "switch_language")
    app.wait_for(lambda s: s["language"] == "en")
    tap(app, "switch_elder")
    app.wait_for(lambda s: s["elder_mode"])
    open_service(sim, app)
    state = app.state()
    assert any("Fill in the form" in t for t in state["texts"])
    assert not any("补领原因" in t for t in state["texts"])  # labels follow the language
    fill_form(app)
    give_materials(sim, app)
    state = submit(app)
    assert "print_printed" in state["kids"]
    assert any("Application number" in t for t in state["texts"])
    # the receipt's lines whole at 1.5x (its details were cut in English elder mode)
    problems = app.inspect()["problems"]
    assert problems == [], "\n".join(f"{p['kind']} {p['kid']} {p['detail']}" for p in problems)
    lines = since.jobs()[0]["lines"]
    assert any("Application" in line or "Receipt" in line for line in lines)
    assert len(since.applications(SERVICE)) == 1


def test_card_removed_mid_form_ends_the_session_and_nothing_is_filed(sim, app: KioskUi, since: Since) -> None:
    identify(sim, app)
    open_service(sim, app)
    tap(app, "field_reason")
    app.wait_for(on("form", "opt_reason_1"))
    sim.control("idcard", "remove_card", {})
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert since.applications(SERVICE) == []
    # the next citizen starts clean: no form of the last one
    identify(sim, app)
    open_service(sim, app)
    assert "error_reason" not in app.state()["kids"]


def test_printer_out_of_paper_at_the_receipt_is_told_then_prints_once(sim, app: KioskUi, since: Since) -> None:
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    sim.control("printer", "paper_out", {})
    state = submit(app)
    assert "print_paper_out" in state["kids"], state
    receipt_no = since.applications(SERVICE)[0]["receipt_no"]
    assert any(receipt_no in t for t in state["texts"])  # the number stays on screen
    assert since.jobs() == []
    sim.control("printer", "reload_paper", {})
    tap(app, "print_again")
    app.wait_for(on("receipt", "print_printed"), 30)
    assert len(since.jobs()) == 1


def test_platform_down_at_submit_gives_a_will_be_sent_receipt_then_files_once(
        sim, app: KioskUi, since: Since) -> None:
    """In English elder mode: the two lines of "will be sent" and the printer's word were
    shared the height the details left, and cut; now whole, the details a page at a time."""
    identify(sim, app)
    tap(app, "switch_language")
    tap(app, "switch_elder")
    app.wait_for(lambda s: s["language"] == "en" and s["elder_mode"], 10)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    sim.control("platform", "down", {})
    state = submit(app)
    texts = "\n".join(state["texts"])
    assert "will be sent" in texts, texts
    assert "print_printed" in state["kids"]
    every_page_whole(app, state, "receipt", "receipt_details")
    sim.control("platform", "up", {})
    assert wait_until(lambda: since.applications(SERVICE), timeout=60, interval=0.5), "never delivered"
    assert len(since.applications(SERVICE)) == 1


def test_idle_timeout_mid_form_warns_aloud_then_wipes(sim, xvfb: Xvfb, tmp_path: Path,
                                                   since: Since) -> None:
    site = tomllib.loads(sim.site_config_path.read_text(encoding="utf-8"))
    # long enough that no step of reaching the form, on a loaded machine, idles it out first
    # (8 s did once: the goodbye came on the catalogue)
    site.setdefault("session", {}).update(idle_timeout_s=20.0, warning_s=5.0)
    spoken = tmp_path / "spoken.log"
    player = tmp_path / "player.sh"  # a real process standing in for aplay: logs what it plays
    player.write_text(f'#!/bin/sh\necho "$1" >> {spoken}\n', encoding="utf-8")
    player.chmod(0o755)
    site["voice"] = {"player_command": [str(player)]}
    short = tmp_path / "short-idle.toml"
    short.write_text(tomli_w.dumps(site), encoding="utf-8")
    app = KioskUi(tmp_path / "ui-idle", xvfb, site_file=short).start()
    try:
        identify(sim, app)
        open_service(sim, app)
        state = app.wait_for(lambda s: "countdown" in s["kids"], 30)
        assert state["screen"] == "form"  # the countdown shows on the screen in use
        held = [t for t in app.state()["texts"] if "测" in t]
        app.wait_for(lambda s: s["screen"] == "attract", 15)
        assert leftovers(sim) == []
        assert since.applications(SERVICE) == []
        # nor does any screen keep the form's values from the card (the name, whole or
        # masked; the address; the ID number's digits)
        kept = {name: [t for t in texts if "测" in t or "示例街道" in t or "0307" in t]
                for name, texts in app.held().items()}
        assert not any(kept.values()), (kept, held)
        # the countdown was spoken (catalogue words and the seconds only: kiosk.voice)
        assert wait_until(lambda: spoken.exists() and spoken.read_text().strip(), 10)
        assert all(line.endswith(".wav") for line in spoken.read_text().split())
    finally:
        app.stop()


def test_a_page_from_the_flatbed_scanner_is_taken(sim, app: KioskUi, since: Since) -> None:
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    tap(app, "mat_photo_scanner")  # SANE's test backend, through the scanner's worker
    app.wait_for(on("materials", "mat_photo_clear"), 60)
    assert any("已拍摄 1 页" in t for t in app.state()["texts"])


def test_a_scan_that_fails_is_told_and_the_next_one_is_taken(sim, app: KioskUi,
                                                             since: Since) -> None:
    """The flatbed's own failure (the lid open here; a timeout on CI's loaded machine, found
    by the explorer) reached the screen as an unexpected exception: "something went wrong"."""
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    sim.control("scanner", "cover_open", {})
    tap(app, "mat_photo_scanner")
    state = app.wait_for(lambda s: s["screen"] == "materials" and "problem" in s["kids"]
                         and "busy" not in s["kids"], 60)
    assert any("盖板" in t for t in state["texts"]), state["texts"]
    assert "unexpected" not in app.app_log(100_000)
    sim.control("scanner", "clear", {})  # the lid closed: the scanner is offered again
    app.wait_for(on("materials", "mat_photo_scanner"), 30)
    tap(app, "mat_photo_scanner")
    app.wait_for(on("materials", "mat_photo_clear"), 60)


def test_an_application_left_by_home_after_its_receipt_lets_the_next_one_start(
        sim, app: KioskUi, since: Since) -> None:
    """Home instead of Done on the receipt left the journey at its receipt: apply opened
    again then refused the next service with WrongStep (found by the explorer's walk)."""
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    submit(app)
    tap(app, "home")
    app.wait_for(on("home"))
    open_service(sim, app)  # a new application: the catalogue, a service, its form
    state = app.state()
    assert "problem" not in state["kids"], state["texts"]
    assert "unexpected" not in app.app_log(100_000)
    assert len(since.applications(SERVICE)) == 1


@pytest.mark.parametrize("language,elder", [("zh-CN", True), ("en", True), ("en", False)])
def test_the_review_and_the_receipt_page_their_lines_so_none_is_cut(
        sim, app: KioskUi, language: str, elder: bool) -> None:
    """Every entry and material on one screen ran the lists over each other and under the
    buttons for a service of six fields and five materials; the receipt's details pushed its
    state and the printer's word to 44 px in zh elder mode (both found by the explorer)."""
    identify(sim, app)
    if language == "en":
        tap(app, "switch_language")
    if elder:
        tap(app, "switch_elder")
    app.wait_for(lambda s: s["language"] == language and s["elder_mode"] == elder, 10)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    pages = every_page_whole(app, app.wait_for(on("review", "review_lines")), "review",
                             "review_lines")
    seen = [text for _state, text in pages]
    assert "submit" in pages[-1][0]["kids"]
    shown = "\n".join(seen)
    assert all(word in shown for word in ("✓",)) and len(seen) >= (2 if elder else 1)
    # the receipt's state, number and the printer's word whole, its details a page at a
    # time (in zh elder mode the first two were cut to 44 px under the details)
    pages = every_page_whole(app, submit(app), "receipt", "receipt_details")
    for state, _text in pages:
        assert {"receipt_state", "receipt_number", "print_printed"} <= set(state["kids"])
    details = [text for _state, text in pages]
    assert len(details) == len(set(details)) and "finish" in pages[-1][0]["kids"]


def type_into(app: KioskUi, field: str, text: str) -> None:
    """`text` into the form's `field` on the app's keyboard (digits: any mode has them)."""
    while "page_prev" in app.state()["kids"] and f"field_{field}" not in app.state()["kids"]:
        tap(app, "page_prev")
    while f"field_{field}" not in app.state()["kids"]:
        tap(app, "page_next")
    tap(app, f"field_{field}")
    state = app.wait_for(lambda s: "key_done" in s["kids"])
    if "key_0" not in state["kids"]:
        tap(app, "kb_mode_digits")
        app.wait_for(lambda s: "key_0" in s["kids"])
    for ch in text:
        tap(app, f"key_{ch}")
    tap(app, "key_done")
    app.wait_for(on("form", "form_next"))


def test_materials_and_an_incomplete_review_fit_in_elder_mode(sim, app: KioskUi) -> None:
    """"以后补交（2026年12月15日（周二）前）" wrapped to 210 px in elder mode's 144 px button
    and the next material's line overprinted it (explorer, lift installation): rows are
    measured, a page holds what fits."""
    identify(sim, app)
    tap(app, "switch_elder")
    app.wait_for(lambda s: s["elder_mode"], 10)
    open_service(sim, app, "residential-lift-installation", "jyzz")
    for field, text in (("building_address", "12345"), ("unit", "1"), ("floors", "6"),
                        ("households", "12"), ("consenting_households", "10"),
                        ("mobile", "13800138000")):
        type_into(app, field, text)
    while "page_prev" in app.state()["kids"]:
        tap(app, "page_prev")
    choose(app, "funding", 0)
    while "page_prev" in app.state()["kids"]:
        tap(app, "page_prev")
    tap(app, "form_next")
    app.wait_for(on("materials", "materials_next"), 20)
    # a page of a material that may be promised: its row has four buttons, the narrowest
    while "mat_structural_report_camera" not in app.state()["kids"]:
        tap(app, "page_next")
    photograph(sim, app, "mat_structural_report_camera", on("camera", "problem"))
    tap(app, "camera_done")
    app.wait_for(on("materials", "mat_structural_report_clear"), 20)
    while "page_prev" in app.state()["kids"]:
        tap(app, "page_prev")
    pages = every_page_whole(app, app.state(), "materials", "materials_next")
    promises = [k for state, _text in pages for k in state["kids"] if k.endswith("_promise")]
    assert promises == ["mat_structural_report_promise", "mat_publicity_record_promise"]
    # the review with the SMS opt-in and the missing note: rows counted by hand, a few pixels
    # short, ran the service's line 6 px into the step bar (explorer, this service and birth
    # registration); the lines' pages are what the frame leaves, measured
    tap(app, "materials_next")
    pages = every_page_whole(app, app.wait_for(on("review", "review_incomplete")), "review",
                             "review_incomplete")
    state = pages[-1][0]
    assert "notify_optin" in state["kids"] and "submit" not in state["kids"]


def test_the_next_citizens_materials_start_on_their_first_page(sim, app: KioskUi) -> None:
    """The materials screen kept the last citizen's page: a visit that left on page 2 put
    the next citizen's materials on page 2 (a walk over two visits found it)."""
    def to_materials() -> dict:
        identify(sim, app)
        tap(app, "switch_elder")  # one material a page: more than one page
        app.wait_for(lambda s: s["elder_mode"], 10)
        open_service(sim, app)
        fill_form(app)
        return app.state()

    first = to_materials()
    assert "page_next" in first["kids"] and "page_prev" not in first["kids"]
    tap(app, "page_next")
    app.wait_for(on("materials", "page_prev"))
    sim.control("idcard", "remove_card", {"settle_polls": 3})
    app.reset()  # the visit ends: session wiped, the attract loop
    second = to_materials()
    assert "page_prev" not in second["kids"], "the next citizen starts on the last one's page"
