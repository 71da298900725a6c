"""The evaluation journey (好差评) end to end through real touches on the app under Xvfb with
the emulators and the reference platform (HTTPS): a recent application rated from the home
tile with a comment typed in pinyin; one rated by all four indicators (整体满意度 / 服务效率 /
服务水平 / 服务态度), sent by a double tap that rates once; the indicators' page looked at in
zh and en × normal, elder mode and high contrast; and the rating offered at the end of
applying, sent with the overall score alone."""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.sim import Simulation
from tests.support import wait_until
from tests.ui.harness import KioskUi
from tests.ui.journey import (SERVICE, Since, fill_form, give_materials, identify, on,
                              open_service, open_tile, submit, tap)
from tests.ui.test_progress import file_application

# A fresh terminal per test: on the module's shared one a card placed right after the reset
# was sometimes not seen (CI, not reproduced alone; left to follow up, issue 16)


def evaluations(sim: Simulation, receipt_no: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(sim.emulators["platform"].database)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM evaluations WHERE receipt_no = ?",
                                              (receipt_no,))]
    finally:
        conn.close()


def test_a_recent_application_is_rated_with_a_comment_from_the_home_tile(
        sim: Simulation, app: KioskUi) -> None:
    receipt_no = file_application(sim)
    identify(sim, app)
    open_tile(sim, app, "tile_evaluate")
    app.wait_for(on("evaluate_list", f"rate_{receipt_no}"), 20)
    tap(app, f"rate_{receipt_no}")
    app.wait_for(on("evaluate_rate", "score_4"), 10)
    assert "rate_send" not in app.state()["kids"]  # nothing to send before a score
    tap(app, "score_4")
    app.wait_for(on("evaluate_rate", "rate_send"))
    tap(app, "comment_edit")
    for letter in "hao":
        app.wait_for(on("evaluate_rate", f"key_{letter}"))
        tap(app, f"key_{letter}")
    app.wait_for(on("evaluate_rate", "cand_0"), 20)
    tap(app, "cand_0")
    tap(app, "key_done")
    state = app.wait_for(on("evaluate_rate", "rate_send"))
    comment = next(t for t in state["texts"] if len(t) == 1 and not t.isascii())
    tap(app, "rate_send")
    app.wait_for(on("evaluate_rate", "rate_thanks"), 20)
    assert wait_until(lambda: evaluations(sim, receipt_no), timeout=30, interval=0.2), \
        "never delivered"
    (row,) = evaluations(sim, receipt_no)
    assert (row["receipt_no"], row["score"], row["comment"]) == (receipt_no, 4, comment)
    tap(app, "rate_finish")
    app.wait_for(on("evaluate_list", "nothing_to_rate"), 20)  # rated: not offered again
    assert comment not in app.app_log(20000)


def test_the_rating_is_offered_at_the_end_of_applying(sim: Simulation, app: KioskUi,
                                                      since: Since) -> None:
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    state = submit(app)
    assert "rate_offer" in state["kids"] and "finish" in state["kids"]
    tap(app, "rate_offer")
    app.wait_for(on("evaluate_rate", "score_5"), 10)
    tap(app, "score_5")
    app.wait_for(on("evaluate_rate", "rate_send"))
    tap(app, "rate_send")
    app.wait_for(on("evaluate_rate", "rate_finish"), 20)
    tap(app, "rate_finish")
    app.wait_for(on("home"), 10)
    (filed,) = since.applications(SERVICE)
    receipt_no = filed["receipt_no"]
    assert wait_until(lambda: evaluations(sim, receipt_no), timeout=30, interval=0.2), \
        "never delivered"
    (row,) = evaluations(sim, receipt_no)
    assert (row["receipt_no"], row["score"]) == (filed["receipt_no"], 5)
    # the overall score alone: one tap and Send, the other indicators never asked
    assert (row["efficiency"], row["competence"], row["attitude"]) == (None, None, None)


INDICATORS = ("efficiency", "competence", "attitude")


def to_the_indicators(sim: Simulation, app: KioskUi, receipt_no: str, score: int,
                      look: Callable[[str], None] = lambda _screen: None) -> None:
    """From the home tile: the application, its overall score, then More questions (`look`
    at the overall score's page with the score chosen)."""
    open_tile(sim, app, "tile_evaluate")
    app.wait_for(on("evaluate_list", f"rate_{receipt_no}"), 20)
    tap(app, f"rate_{receipt_no}")
    app.wait_for(on("evaluate_rate", f"score_{score}"), 10)
    assert "rate_more" not in app.state()["kids"]  # the overall score first
    tap(app, f"score_{score}")
    app.wait_for(on("evaluate_rate", "rate_more"))
    look("evaluate_rate")
    tap(app, "rate_more")
    app.wait_for(on("evaluate_detail", "detail_send"), 10)


def test_a_citizen_rates_all_four_indicators_and_a_double_tap_rates_once(
        sim: Simulation, app: KioskUi) -> None:
    receipt_no = file_application(sim)
    identify(sim, app)
    to_the_indicators(sim, app, receipt_no, 3)
    state = app.state()
    assert {f"{name}_{s}" for name in INDICATORS for s in range(1, 6)} <= set(state["kids"])
    assert "detail_skip" in state["kids"]
    assert "非常满意" in " ".join(state["texts"]) and "服务态度" in state["texts"]
    for name, score in (("efficiency", 5), ("competence", 4), ("attitude", 2), ("attitude", 1)):
        tap(app, f"{name}_{score}")  # the last answer to a question is the one kept
    app.tap("detail_send")  # a hurried double tap: the first sends, the second lands on a
    try:  # busy screen (or on none, once the thanks are up)
        app.tap("detail_send")
    except AssertionError:
        pass
    app.wait_for(on("evaluate_rate", "rate_thanks"), 20)
    assert wait_until(lambda: evaluations(sim, receipt_no), timeout=30, interval=0.2), \
        "never delivered"
    (row,) = evaluations(sim, receipt_no)
    assert (row["score"], row["efficiency"], row["competence"], row["attitude"]) == (3, 5, 4, 1)
    log = app.app_log(200000)
    assert log.count("event=rating_given") == 1, "rated twice"
    assert "problem" not in app.state()["kids"]
    tap(app, "rate_finish")
    app.wait_for(on("evaluate_list", "nothing_to_rate"), 20)


def test_skip_on_the_indicators_page_sends_the_overall_score_alone(
        sim: Simulation, app: KioskUi) -> None:
    receipt_no = file_application(sim)
    identify(sim, app)
    to_the_indicators(sim, app, receipt_no, 2)
    tap(app, "competence_4")  # answered, then thought better of: Skip sends none of them
    tap(app, "detail_skip")
    app.wait_for(on("evaluate_rate", "rate_thanks"), 20)
    assert wait_until(lambda: evaluations(sim, receipt_no), timeout=30, interval=0.2), \
        "never delivered"
    (row,) = evaluations(sim, receipt_no)
    assert (row["score"], row["efficiency"], row["competence"], row["attitude"]) == (
        2, None, None, None)


MODES = list(itertools.product(("zh-CN", "en"), ("normal", "elder", "high_contrast")))


def test_the_indicators_page_reads_in_every_language_and_mode(
        sim: Simulation, app: KioskUi, tmp_path: Path) -> None:
    """Each of the six looks of the indicators' page (and of the overall score's, now with
    More questions): nothing clipped, overprinted, off the window or low in contrast, every
    target at least 15 mm (screens.inspect), every choice and action pressable; a screenshot
    of each (KIOSK_EVALUATE_SHOTS names a folder to keep them)."""
    shots = Path(os.environ.get("KIOSK_EVALUATE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    receipt_no = file_application(sim)
    identify(sim, app)
    for language, mode in MODES:  # the modes are switched at home, as a citizen does
        want = {"language": language, "elder_mode": mode == "elder",
                "high_contrast": mode == "high_contrast"}
        if app.state()["screen"] != "home":
            tap(app, "home")
        state = app.wait_for(on("home", "switch_elder"), 10)
        for switch, key in (("switch_language", "language"), ("switch_elder", "elder_mode"),
                            ("switch_contrast", "high_contrast")):
            if state[key] != want[key]:
                tap(app, switch)
        state = app.wait_for(lambda s: all(s[k] == v for k, v in want.items()))
        if "tile_evaluate" not in state["kids"]:  # elder mode: fewer tiles, the rest behind More
            tap(app, "tiles_more")

        def look(screen: str, pressable: set[str]) -> None:
            app.screenshot(shots / f"{screen}-{language}-{mode}.png")
            found = app.inspect()
            assert found["problems"] == [], (screen, language, mode, found["problems"])
            assert pressable <= set(found["buttons"]), (screen, language, mode)

        to_the_indicators(sim, app, receipt_no, 4, lambda screen: look(
            screen, {"rate_skip", "rate_more", "rate_send", "comment_edit"}))
        tap(app, "efficiency_4")  # one chosen: its selected look is checked too
        state = app.wait_for(on("evaluate_detail", "detail_send"))
        assert ("Attitude" if language == "en" else "服务态度") in state["texts"]
        look("evaluate_detail", {f"{name}_{s}" for name in INDICATORS for s in range(1, 6)}
             | {"detail_skip", "detail_send"})
